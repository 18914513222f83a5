"""`python -m bot` does what the `faktabot` console script does: `console` is both."""
import gc
import sys


def console() -> int:
    """Run the command line. Start-up time: Python's cycle collector would walk every object the
    imports create, over and over, while they are being created (several per cent of `ask`'s start); it is
    off until the command's own work begins (`bot.cli.main` turns it back on)."""
    gc.disable()
    from bot.cli.main import main

    return main()


if __name__ == "__main__":
    sys.exit(console())
