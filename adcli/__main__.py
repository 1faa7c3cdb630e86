"""``python -m adcli`` is the ``adcli`` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="adcli")
