def test_cycle_reaches_final(cycle, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        project = cycle.final()
    assert project.status == "final"
    assert project.reference == "0001"
    assert project.events.count() > 5
