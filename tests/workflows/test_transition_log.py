"""The transition log is append-only."""

import pytest

from workflows.models import TransitionLog


def test_the_transition_log_is_append_only(submitted):
    log = TransitionLog.objects.for_object(submitted).get()
    log.comment = "rewritten"
    with pytest.raises(TypeError):
        log.save()
    with pytest.raises(TypeError):
        log.delete()
    with pytest.raises(TypeError):
        TransitionLog.objects.all().delete()
    with pytest.raises(TypeError):
        TransitionLog.objects.update(comment="x")
