"""The embedded broker on a fresh clone: publishing works before anything made its folders."""

from celery import Celery

from shop.celery import make_broker_folders


def test_a_fresh_filesystem_broker_makes_its_folders_and_takes_a_message(tmp_path):
    queue, processed = tmp_path / "celery" / "queue", tmp_path / "celery" / "processed"
    app = Celery("fresh", set_as_current=False)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(tmp_path / "celery" / "control"),
    }
    app.on_after_configure.connect(make_broker_folders, weak=False)

    app.send_task("shop.tests.nobody_runs_this")

    assert processed.is_dir()
    assert [path.name.endswith(".celery.msg") for path in queue.iterdir()] == [True]


def test_another_broker_gets_no_folders(tmp_path):
    app = Celery("redis-backed", set_as_current=False)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_transport_options = {"data_folder_in": str(tmp_path / "queue")}

    make_broker_folders(sender=app)

    assert not (tmp_path / "queue").exists()
