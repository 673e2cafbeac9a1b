"""Errors in event input are data: the field at fault and the place it came from, beside the
one-line message (a shell highlights the field without reading the text)."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.domain.input import parse_event
from tracker.errors import InvalidEvent


def valid() -> dict[str, Any]:
    return {
        "id": "ev-1",
        "type": "invitation.extended",
        "story": "2014-03-10",
        "summary": "Lavrov invites Kerry to Sochi.",
        "actors": [{"name": "Lavrov", "role": "inviter"}, {"name": "Kerry", "role": "invitee"}],
        "source": {"outlet": "TASS", "published": "2014-03-10"},
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"story": "the 45th of Smarch"}, "story", "line 3: field 'story': "),
        ({"source": {"outlet": "TASS"}}, "source.published",
         "line 3: field 'source.published' is required"),
        ({"actors": [{"name": "Lavrov", "role": "host"}]}, "actors[0].role",
         "line 3: field 'actors[0].role' 'host' is not a role of invitation.extended"),
        ({"actors": [{"name": "Lavrov", "role": "inviter"}]}, "actors.invitee",
         "line 3: invitation.extended needs an actor with role 'invitee'"),
        ({"details": {"venue": 3}}, "details.venue",
         "line 3: field 'details.venue' must be a string"),
        ({"details": {"colour": "red"}}, "details.colour",
         "line 3: invitation.extended has no detail 'colour'"),
        ({"refs": [{"rel": "likes", "id": "ev-0"}]}, "refs[0].rel",
         "line 3: field 'refs[0].rel' 'likes' is not one of"),
        ({"type": "invitation.mislaid"}, "type", "line 3: unknown event type 'invitation.mislaid'"),
        ({"certainty": "sure"}, "certainty", "line 3: field 'certainty' must be one of"),
        ({"summary": ""}, "summary", "line 3: field 'summary' must not be empty"),
    ],
)
def test_an_input_error_names_its_field_and_place(
    change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event({**valid(), **change}, "line 3")
    assert caught.value.field == field
    assert caught.value.place == "line 3"
    assert caught.value.message.startswith(message)
    assert str(caught.value) == caught.value.message
