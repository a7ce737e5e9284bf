"""Background tasks of the audit app: signing a checkpoint of the chain's head."""

from django_tasks import task

from fdx.audit import checkpoints


@task()
def write_checkpoint() -> str:
    """Sign the chain's head into the checkpoint file (skipped, and logged, when the node has no key)."""
    return checkpoints.write_if_possible()
