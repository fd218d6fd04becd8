"""A clock that only moves when the code under test sleeps: waits run in microseconds of real time."""


class FakeTime:
    """`clock()` and `sleep()` for injection; `sleeps` records every pause asked for."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
