"""minikeras.plot: PNGs that exist and show something, and life without matplotlib."""
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import minikeras as keras
from minikeras.datasets import blobs, spiral
from minikeras.layers import Dense

matplotlib = pytest.importorskip("matplotlib",
                                 reason='needs the plot extra: pip install -e ".[plot]"')
from minikeras.plot import _classes, plot_decision_boundary, plot_history  # noqa: E402

HISTORY = {"loss": [0.9, 0.5, 0.3, 0.25], "accuracy": [0.6, 0.8, 0.9, 0.92],
           "val_loss": [1.0, 0.6, 0.45, 0.44], "val_accuracy": [0.55, 0.75, 0.85, 0.86]}


def png_size(path):
    """(width, height) from the IHDR chunk that follows the 8-byte PNG signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def colours(figure):
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3].reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def trained(x, y, units, epochs=60):
    keras.utils.set_random_seed(0)
    output = (Dense(1, activation="sigmoid") if units == 1
              else Dense(units, activation="softmax"))
    model = keras.Sequential([keras.Input((2,)), Dense(16, activation="relu"), output])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, model.fit(x, y, batch_size=len(x), epochs=epochs, verbose=0)



def test_a_failed_save_keeps_the_previous_picture_and_leaves_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "history.png"
    plot_history(HISTORY, filename=path)
    before = path.read_bytes()

    def disk_full(self, file, **kwargs):
        file.write(before[:100])  # half a picture, then the failure
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", disk_full)
    with pytest.raises(OSError, match="history.png"):
        plot_history(HISTORY, filename=path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["history.png"]


def test_the_format_follows_the_extension(tmp_path):
    plot_history(HISTORY, filename=tmp_path / "history.svg")
    assert b"<svg" in (tmp_path / "history.svg").read_bytes()[:500]
    plot_history(HISTORY, filename=tmp_path / "history")   # no extension: a PNG
    assert png_size(tmp_path / "history")[0] > 0

def test_plot_history_draws_one_panel_per_quantity_and_saves(tmp_path):
    path = tmp_path / "history.png"
    figure = plot_history(HISTORY, filename=path, title="run", dpi=80)
    assert isinstance(figure, matplotlib.figure.Figure)
    axes = figure.get_axes()
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    for ax, name in zip(axes, ["loss", "accuracy"]):
        train, val = ax.get_lines()
        np.testing.assert_allclose(train.get_ydata(), HISTORY[name])
        np.testing.assert_allclose(val.get_ydata(), HISTORY[f"val_{name}"])
        assert val.get_linestyle() == "--" and list(train.get_xdata()) == [1, 2, 3, 4]
    assert png_size(path) == (2 * 4.5 * 80, 3.6 * 80)
    assert path.stat().st_size > 10_000
    assert colours(figure) > 50


def test_plot_history_takes_a_history_object_from_fit():
    x, y = blobs(200, seed=0)
    _, history = trained(x, y, 1, epochs=5)
    figure = plot_history(history)
    assert [ax.get_title() for ax in figure.get_axes()] == ["loss", "accuracy"]
    assert len(figure.get_axes()[0].get_lines()[0].get_ydata()) == 5


def test_plot_history_validation_only_and_empty():
    figure = plot_history({"val_loss": [1.0, 0.5]})
    assert [ax.get_title() for ax in figure.get_axes()] == ["loss"]
    with pytest.raises(ValueError, match="`history` must be the History returned by `fit`"):
        plot_history({})


@pytest.mark.parametrize("units", [1, 3], ids=["sigmoid-binary", "softmax-3-class"])
def test_plot_decision_boundary_colours_the_plane_by_predicted_class(tmp_path, units):
    x, y = blobs(300, seed=0) if units == 1 else spiral(60, 3, seed=0)
    model, _ = trained(x, y, units, epochs=150)
    path = tmp_path / "boundary.png"
    figure = plot_decision_boundary(model, x, y, filename=path, title="t", resolution=60)
    ax = figure.get_axes()[0]
    accuracy = float(np.mean(_classes(model.predict(x, verbose=0)) == y))
    assert ax.get_title() == f"t: accuracy {accuracy:.1%}" and accuracy > 0.8
    # The filled regions span the data plus a margin; every class appears in the picture.
    x_low, x_high = ax.get_xlim()
    assert x_low < x[:, 0].min() and x_high > x[:, 0].max()
    assert png_size(path) == (550, 480) and path.stat().st_size > 20_000
    assert colours(figure) > 100


@pytest.mark.parametrize("class_names, expected", [(None, ["0", "1", "2"]),
                                                   (["cat", "dog", "eel"], ["cat", "dog", "eel"])],
                         ids=["numbers", "names"])
def test_plot_decision_boundary_has_a_class_legend_in_the_points_colours(class_names, expected):
    x, y = spiral(30, 3, seed=0)
    model, _ = trained(x, y, 3, epochs=5)
    figure = plot_decision_boundary(model, x, y, resolution=20, class_names=class_names)
    ax = figure.get_axes()[0]
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "class"
    assert [text.get_text() for text in legend.get_texts()] == expected
    points = ax.collections[-1]  # the scatter, drawn over the filled regions
    colours = points.to_rgba(points.get_array())  # each point's colour through the colormap
    for label, handle in enumerate(legend.legend_handles):
        np.testing.assert_allclose(matplotlib.colors.to_rgba(handle.get_markerfacecolor()),
                                   colours[np.flatnonzero(y == label)[0]])


def test_plot_decision_boundary_legend_lists_only_the_classes_present():
    x, y = blobs(200, seed=0)
    model, _ = trained(x, y, 1, epochs=5)
    keep = y == 1  # only class 1 among the points
    figure = plot_decision_boundary(model, x[keep], y[keep], resolution=20,
                                    class_names=["benign", "malignant"])
    assert [t.get_text() for t in figure.get_axes()[0].get_legend().get_texts()] == ["malignant"]
    with pytest.raises(ValueError, match=r"`class_names` must name each of the 2 classes"):
        plot_decision_boundary(model, x, y, resolution=20, class_names=["one"])


def test_plot_decision_boundary_accepts_one_hot_labels():
    x, y = spiral(30, 3, seed=0)
    model, _ = trained(x, y, 3, epochs=5)
    figure = plot_decision_boundary(model, x, keras.utils.to_categorical(y), resolution=20)
    assert figure.get_axes()[0].get_title().startswith("accuracy")


def test_plot_decision_boundary_rejects_non_2d_inputs():
    model = keras.Sequential([keras.Input((3,)), Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match=r"`x` must have shape \(n, 2\).*x.shape=\(4, 3\)"):
        plot_decision_boundary(model, np.zeros((4, 3)), np.zeros(4))


@pytest.mark.parametrize("y, expected", [
    (np.array([0, 2, 1]), [0, 2, 1]),
    (np.array([[0.2], [0.7], [0.5]]), [0, 1, 0]),
    (np.array([1.0, 0.0, 1.0]), [1, 0, 1]),
    (np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), [1, 0, 1]),
], ids=["labels", "sigmoid-column", "float-labels", "softmax-rows"])
def test_classes_from_every_kind_of_target(y, expected):
    assert _classes(y).tolist() == expected


def run_python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60)


def test_plotting_leaves_pyplot_and_the_global_backend_alone(tmp_path):
    result = run_python(f"""
        import sys, matplotlib
        # Read the raw setting: get_backend() would itself import pyplot to resolve it.
        raw_backend = lambda: dict.__getitem__(matplotlib.rcParams, "backend")
        before = raw_backend()
        from minikeras.plot import plot_history
        plot_history({{"loss": [1.0, 0.5]}}, filename={str(tmp_path / "h.png")!r})
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        assert raw_backend() == before, (before, raw_backend())
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "h.png").exists()


def test_minikeras_works_without_matplotlib_until_a_plot_is_asked_for():
    result = run_python("""
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        import minikeras, minikeras.datasets, minikeras.plot
        model = minikeras.Sequential([minikeras.Input((2,)), minikeras.layers.Dense(1)])
        try:
            minikeras.plot.plot_history({"loss": [1.0]})
        except ImportError as error:
            print(error)
        else:
            raise SystemExit("no ImportError")
    """)
    assert result.returncode == 0, result.stderr
    assert 'pip install "minikeras[plot]"' in result.stdout
