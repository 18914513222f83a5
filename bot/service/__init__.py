"""The long-running service (`faktabot run`): the scheduler, its jobs and the instance lock."""


class ServiceError(Exception):
    """The service cannot start; the message says why and what to do."""


class Stopping(Exception):
    """The service is stopping: a job that has not started its work leaves it for the next start."""
