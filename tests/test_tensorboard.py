"""callbacks.TensorBoard against the real thing: a ``tensorboard`` server reads the files back.

Two training runs write their logs under one folder; a TensorBoard server
started here on 127.0.0.1 serves them, and every check reads what its HTTP
data API returns, the same data its dashboards draw. Scalars are stored as
float32 (as Keras stores them), so each value must equal ``history.history``'s
rounded to float32, exactly. A last test takes a screenshot of the scalars
dashboard with headless Chromium, when one is installed.
"""
import inspect
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.callbacks import LambdaCallback, LearningRateScheduler, TensorBoard
from minikeras.layers import BatchNormalization, Dense
from minikeras.random import set_seed

WHY = 'the tensorboard extra is not installed (pip install "minikeras[tensorboard]")'
pytest.importorskip("tensorboardX", reason=WHY)
pytest.importorskip("tensorboard", reason=WHY)

EPOCHS = 5
# The scalars each run must show, under Keras 3's names ("batches" has no validation data).
SCALAR_TAGS = {
    "epochs/train": {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"},
    "epochs/validation": {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                          "evaluation_accuracy_vs_iterations"},
    "batches/train": {"epoch_loss", "epoch_accuracy", "epoch_learning_rate",
                      "epoch_steps_per_second", "batch_loss", "batch_accuracy",
                      "batch_steps_per_second"},
}


def float32(values):
    return [float(np.float32(v)) for v in values]


def model_and_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)
    model = Sequential([Input((4,)), Dense(6, activation="relu"), BatchNormalization(),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model, x, y


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two fits logged under one folder: ``epochs/`` (per epoch, histograms, images, an
    evaluation) and ``batches/`` (every third batch, steps per second, no validation)."""
    root = tmp_path_factory.mktemp("logs")
    set_seed(0)
    model, x, y = model_and_data()
    callback = TensorBoard(root / "epochs", histogram_freq=2, write_images=True)
    schedule = LearningRateScheduler(lambda epoch, lr: 0.01 * 0.5 ** epoch)
    ticks = []   # the optimizer's step count at each epoch's validation
    tick = LambdaCallback(on_epoch_end=lambda epoch, logs: ticks.append(model.optimizer.iterations))
    epochs = model.fit(x, y, epochs=EPOCHS, batch_size=32, validation_split=0.25, verbose=0,
                       callbacks=[callback, schedule, tick])
    evaluation = model.evaluate(x, y, verbose=0, return_dict=True, callbacks=[callback])

    batch_model, x, y = model_and_data()
    batch_logs = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: batch_logs.append(dict(logs)))
    batches = batch_model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[
        TensorBoard(root / "batches", update_freq=3, write_steps_per_second=True), record])
    return {"root": root, "model": model, "epochs": epochs.history, "evaluation": evaluation,
            "iterations": ticks + [model.optimizer.iterations], "batches": batches.history,
            "batch_logs": batch_logs}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(runs, tmp_path_factory):
    """A TensorBoard server on 127.0.0.1 over the logs, once it has loaded them: its base URL."""
    home = tmp_path_factory.mktemp("tensorboard")
    port = free_port()
    log = open(home / "tensorboard.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(runs["root"]),
         "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "TMPDIR": str(home)})  # its bookkeeping files go there, not /tmp
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                tags = get(url, "/data/plugin/scalars/tags")
                if all(SCALAR_TAGS[run] <= set(tags.get(run, ())) for run in SCALAR_TAGS):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("TensorBoard did not serve the logs within 60 s:\n"
                            + (home / "tensorboard.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def get(url, path, **params):
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(url + path + query, timeout=10) as response:
        return json.load(response)


def scalars(server, run, tag):
    """``(steps, values)`` of one scalar series, through the scalars plugin."""
    points = get(server, "/data/plugin/scalars/scalars", run=run, tag=tag)
    return [step for _, step, _ in points], [value for _, _, value in points]


def test_runs_and_tags_are_keras_names(server):
    tags = get(server, "/data/plugin/scalars/tags")
    assert {run: set(run_tags) for run, run_tags in tags.items()} == SCALAR_TAGS


@pytest.mark.parametrize("name", ["loss", "accuracy"])
def test_epoch_scalars_equal_the_history(server, runs, name):
    history = runs["epochs"]
    assert scalars(server, "epochs/train", f"epoch_{name}") == (
        list(range(EPOCHS)), float32(history[name]))
    assert scalars(server, "epochs/validation", f"epoch_{name}") == (
        list(range(EPOCHS)), float32(history[f"val_{name}"]))


def test_learning_rate_follows_the_schedule(server, runs):
    steps, values = scalars(server, "epochs/train", "epoch_learning_rate")
    assert values == float32(runs["epochs"]["learning_rate"]) == float32(
        [0.01 * 0.5 ** epoch for epoch in range(EPOCHS)])


def test_evaluation_against_iterations(server, runs):
    """As in Keras 3, every evaluation is logged: fit's validation each epoch, then evaluate's
    (at the last epoch's step count, where TensorBoard shows the later value)."""
    for name, value in runs["evaluation"].items():
        by_step = dict(zip(runs["iterations"], runs["epochs"][f"val_{name}"] + [value]))
        assert scalars(server, "epochs/validation", f"evaluation_{name}_vs_iterations") == (
            list(by_step), float32(list(by_step.values())))


def test_batch_scalars_every_update_freq_batches(server, runs):
    logs = runs["batch_logs"]  # 120 samples in batches of 16: 8 per epoch, 16 in all
    assert len(logs) == 16
    steps, values = scalars(server, "batches/train", "batch_loss")
    assert steps == [3, 6, 9, 12, 15]  # counted across epochs, from 1
    assert values == float32([logs[step - 1]["loss"] for step in steps])
    steps, rates = scalars(server, "batches/train", "batch_steps_per_second")
    assert steps == [3, 6, 9, 12, 15] and all(rate > 0 for rate in rates)
    steps, values = scalars(server, "batches/train", "epoch_loss")
    assert (steps, values) == ([0, 1], float32(runs["batches"]["loss"]))


def test_weight_histograms_every_histogram_freq_epochs(server, runs):
    model = runs["model"]
    tags = get(server, "/data/plugin/histograms/tags")
    assert set(tags) == {"epochs/train"}
    assert set(tags["epochs/train"]) == {f"{layer.name}/{weight.name}/histogram"
                                         for layer in model.layers for weight in layer.weights}
    kernel = model.layers[0].kernel.value
    points = get(server, "/data/plugin/histograms/histograms", run="epochs/train",
                 tag=f"{model.layers[0].name}/kernel/histogram")
    assert [step for _, step, _ in points] == [0, 2, 4]
    buckets = np.array(points[-1][2])  # epoch 4 is the last: today's weights
    assert buckets[:, 2].sum() == pytest.approx(kernel.size)
    assert buckets[0, 0] <= kernel.min() and buckets[-1, 1] >= kernel.max()


def test_weights_as_images(server, runs):
    names = [layer.name for layer in runs["model"].layers]
    tags = get(server, "/data/plugin/images/tags")["epochs/train"]
    # As in Keras: every matrix and vector; the output's bias has one entry, no image.
    assert set(tags) == {f"{names[0]}/kernel/image", f"{names[0]}/bias/image",
                         *(f"{names[1]}/{w}/image" for w in ("gamma", "beta", "moving_mean",
                                                             "moving_variance")),
                         f"{names[2]}/kernel/image"}


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
            "chrome-headless-shell")
TRAIN_COLOUR, VALIDATION_COLOUR = (255, 112, 67), (0, 119, 187)  # TensorBoard's first two runs


def test_scalars_dashboard_screenshot(server, tmp_path):
    browser = next(filter(None, map(shutil.which, BROWSERS)), None)
    if browser is None:
        pytest.skip(f"no headless Chromium found (looked for {', '.join(BROWSERS)}); on "
                    "Debian: apt-get install chromium")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a tensorboard dependency) "
                                                           "is needed to read the screenshot")
    shot = tmp_path / "scalars.png"
    profile = tmp_path / "profile"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}",
         "--window-size=1400,1000", "--virtual-time-budget=15000", f"--screenshot={shot}",
         f"{server}/#scalars&tagFilter=epoch_loss&regexInput=epochs&_smoothingWeight=0"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(profile),
             "XDG_CACHE_HOME": str(profile)})
    assert shot.exists(), result.stderr
    pixels = np.asarray(image_module.open(shot).convert("RGB"))
    assert pixels.shape == (1000, 1400, 3)
    charts = pixels[70:, 360:]  # right of the run list, below the tab bar
    for colour in (TRAIN_COLOUR, VALIDATION_COLOUR):
        assert np.all(charts == colour, axis=-1).sum() > 100, \
            f"no line of colour {colour} in the scalars chart: look at {shot}"
    print(f"screenshot: {shot}")


def test_arguments_and_defaults_are_keras(keras3):
    keras = keras3

    def defaults(cls):
        return {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    assert defaults(TensorBoard) == defaults(keras.callbacks.TensorBoard)


@pytest.mark.parametrize("kwargs,match", [
    ({"update_freq": "sometimes"}, r"`update_freq` must be 'epoch' or 'batch' or a positive "
                                   r"integer. Received: update_freq='sometimes'"),
    ({"update_freq": 0}, r"Received: update_freq=0"),
    ({"histogram_freq": -1}, r"`histogram_freq` must be a non-negative integer. Received: "
                             r"histogram_freq=-1"),
    ({"histogram_freq": 0.5}, r"Received: histogram_freq=0.5"),
], ids=["update_freq_name", "update_freq_zero", "histogram_freq_negative",
        "histogram_freq_float"])
def test_bad_arguments(kwargs, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        TensorBoard(tmp_path, **kwargs)


def test_profiling_and_embeddings_are_ignored_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match=r"ignores \{'profile_batch': \(2, 4\), "
                                         r"'embeddings_freq': 1\}: minikeras has no profiler"):
        TensorBoard(tmp_path, profile_batch=(2, 4), embeddings_freq=1)
