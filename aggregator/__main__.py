"""``python -m aggregator``: the same as the ``aggregator`` command."""

from aggregator._entry import main

if __name__ == "__main__":
    main()
