"""``python -m bench``: the in-process figures (see :mod:`bench.run`);
``python -m bench commands``: whole commands in fresh processes (see :mod:`bench.commands`)."""

import sys

if sys.argv[1:2] == ["commands"]:
    from bench.commands import main as commands_main

    sys.exit(commands_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
