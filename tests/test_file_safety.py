"""Files that survive crashes and resist crafted input, in every format.

Writing: the umask is never touched, permissions and symlinks are kept, a
killed save leaves only a temporary file that the next save (or load) removes,
errors name the target. Reading: every malformed file gives a ValueError
naming it, before anything large is allocated and without running anything the
file names. Fuzzed with hypothesis: bit flips, truncations and header values.
"""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import minikeras
from minikeras import saving
from minikeras.callbacks import ModelCheckpoint
from minikeras.layers import Dense, Input
from minikeras.models import Sequential, load_model
from minikeras.utils import files

NATIVE = "model.mk"
KERAS_FORMATS = ["model.keras", "model.h5"]
FORMATS = [NATIVE] + KERAS_FORMATS
WEIGHT_FORMATS = ["w.mkw", "w.weights.h5"]
FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _needs_h5(name):
    if name.endswith((".keras", ".h5")):
        pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')


def _model(units=2):
    model = Sequential([Input((3,)), Dense(units, activation="relu"), Dense(1)], name="net")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    return model


def _save(model, path):
    name = os.fsdecode(path)
    (model.save_weights if name.endswith(("w.mkw", ".weights.h5")) else model.save)(path)


def _load(path):
    name = os.fsdecode(path)
    if name.endswith(("w.mkw", ".weights.h5")):
        model = Sequential([Input((3,)), Dense(2, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.load_weights(path)
        return model
    return load_model(path)


def _umask():
    mask = os.umask(0)  # only the test reads it this way
    os.umask(mask)
    return mask


# -- writing ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS + WEIGHT_FORMATS)
def test_saving_never_touches_the_umask_and_gives_a_normal_file_mode(name, tmp_path,
                                                                       monkeypatch):
    _needs_h5(name)
    expected = 0o666 & ~_umask()
    model = _model()
    monkeypatch.setattr(os, "umask", lambda *a: pytest.fail("os.umask was called"))
    _save(model, tmp_path / name)
    assert os.stat(tmp_path / name).st_mode & 0o777 == expected
    assert sorted(os.listdir(tmp_path)) == [name]


@pytest.mark.parametrize("name", FORMATS + WEIGHT_FORMATS)
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_overwriting_keeps_the_permission_bits(name, mode, tmp_path):
    _needs_h5(name)
    path = tmp_path / name
    _save(_model(), path)
    os.chmod(path, mode)
    _save(_model(3), path if name.endswith(("w.mkw", ".weights.h5")) else path)
    assert os.stat(path).st_mode & 0o777 == mode


@pytest.mark.parametrize("name", FORMATS)
def test_saving_through_a_symlink_updates_the_file_it_points_to(name, tmp_path):
    _needs_h5(name)
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / name
    _save(_model(2), target)
    link = tmp_path / ("link-" + name)
    link.symlink_to(target)
    _save(_model(5), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_model(target).layers[0].units == 5


def _killed_save_script(path, name):
    """A child process that starts saving ``name`` and is SIGKILLed halfway through."""
    return textwrap.dedent(f"""
        import os, signal, zipfile
        import numpy as np
        from minikeras.layers import Dense, Input
        from minikeras.models import Sequential

        def die(target, *args, **kwargs):
            file = getattr(target, "fp", target)  # a ZipFile writes to its .fp
            file.write(b"PK half an archive")
            file.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        np.savez = die                    # the native format's writer
        zipfile.ZipFile.writestr = die    # the .keras writer
        Sequential([Input((3,)), Dense(2)]).save({str(path)!r})
    """)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("name", ["model.mk", "model.keras"])
def test_a_killed_save_leaves_a_temporary_that_the_next_save_or_load_removes(name, tmp_path):
    _needs_h5(name)
    path = tmp_path / name
    _save(_model(), path)
    before = path.read_bytes()

    def killed_save():
        result = subprocess.run([sys.executable, "-c", _killed_save_script(path, name)],
                                capture_output=True, timeout=120)
        assert result.returncode == -signal.SIGKILL, result.stderr.decode()
        leftovers = [n for n in os.listdir(tmp_path) if n != name]
        assert len(leftovers) == 1 and leftovers[0].startswith(".minikeras-"), leftovers
        assert path.read_bytes() == before  # the old model is intact

    killed_save()
    killed_save()  # the second save removed the first one's debris before dying
    load_model(path)
    assert os.listdir(tmp_path) == [name]  # loading removed the debris
    killed_save()
    _save(_model(), path)
    assert os.listdir(tmp_path) == [name]  # so did the next save


@pytest.mark.skipif(files.fcntl is None, reason="the lock is POSIX's flock")
def test_a_save_in_progress_keeps_its_temporary(tmp_path):
    """Another process's live temporary file (locked) is not debris."""
    path = tmp_path / "model.mk"
    other = tmp_path / (files._temporary_prefix(str(path)) + "0" * 16 + ".tmp")
    fd = os.open(other, os.O_RDWR | os.O_CREAT)
    try:
        files.fcntl.flock(fd, files.fcntl.LOCK_EX)
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from minikeras.layers import Dense, Input
            from minikeras.models import Sequential
            Sequential([Input((3,)), Dense(2)]).save({str(path)!r})""")], timeout=120)
        assert child.returncode == 0
        assert other.exists()
    finally:
        os.close(fd)
    _save(_model(), path)
    assert not other.exists()  # its writer is gone: now it is debris


def test_unrelated_files_are_never_removed(tmp_path):
    names = [".minikeras-notahash-0000000000000000.tmp", ".model.mk.abc.tmp", "model.mk.tmp",
             files._temporary_prefix(str(tmp_path / "other.mk")) + "0" * 16 + ".tmp"]
    for name in names:
        (tmp_path / name).write_text("keep me")
    _save(_model(), tmp_path / "model.mk")
    load_model(tmp_path / "model.mk")
    assert sorted(os.listdir(tmp_path)) == sorted(names + ["model.mk"])


def test_errors_name_the_target_not_the_temporary(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "model.mk"
    with pytest.raises(FileNotFoundError, match=r"model\.mk.*folder .*does not exist") as info:
        _model().save(missing)
    assert ".minikeras-" not in str(info.value)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        _model().save(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a user whom folder permissions restrict (not root)")
def test_read_only_folder_error_names_the_target(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"locked/model\.mk.*no permission") as info:
            _model().save(folder / "model.mk")
        assert ".minikeras-" not in str(info.value)
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("name", FORMATS)
def test_a_legal_long_file_name_works(name, tmp_path):
    _needs_h5(name)
    long_name = "m" * (255 - len(name)) + name  # 255 bytes: the usual NAME_MAX
    _save(_model(), tmp_path / long_name)
    assert load_model(tmp_path / long_name).count_params() == _model().count_params()


@pytest.mark.parametrize("name", FORMATS + WEIGHT_FORMATS)
def test_bytes_paths_work(name, tmp_path):
    _needs_h5(name)
    path = os.fsencode(tmp_path / name)
    model = _model()
    _save(model, path)
    np.testing.assert_array_equal(_load(path).predict(np.ones((2, 3)), verbose=0),
                                  model.predict(np.ones((2, 3)), verbose=0))


def test_a_path_of_another_type_is_refused_clearly():
    with pytest.raises(TypeError, match=r"`filepath` must be a path.*Received: filepath=12"):
        _model().save(12)
    with pytest.raises(TypeError, match=r"`filepath` must be a path"):
        load_model(["model.mk"])


def test_save_weights_refuses_whole_model_names(tmp_path):
    for name in ("w.keras", "w.h5"):
        with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
            _model().save_weights(tmp_path / name)


def test_h5py_is_an_optional_extra(tmp_path, monkeypatch):
    model = _model()
    monkeypatch.setitem(sys.modules, "h5py", None)  # as if it were not installed
    for name in ("m.keras", "m.h5"):
        with pytest.raises(ImportError, match=r'pip install "minikeras\[h5\]"'):
            model.save(tmp_path / name)
    with pytest.raises(ImportError, match=r"minikeras\[h5\]"):
        model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ImportError, match=r"minikeras\[h5\]"):
        ModelCheckpoint(str(tmp_path / "ckpt.keras"))
    model.save(tmp_path / "m.mk")  # the native format needs nothing
    assert load_model(tmp_path / "m.mk").count_params() == model.count_params()
    assert sorted(os.listdir(tmp_path)) == ["m.mk"]


def test_importing_minikeras_does_not_import_h5py():
    code = "import sys, minikeras, minikeras.saving; print('h5py' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False", result.stderr


# -- ModelCheckpoint ---------------------------------------------------------------------


@pytest.mark.parametrize("pattern, match", [
    ("ckpt-{}.mk", "must be named"),
    ("ckpt-{0}.mk", "must be named"),
    ("ckpt-{epoch.real}.mk", "plain name"),
    ("ckpt-{epoch[0]}.mk", "plain name"),
    ("ckpt-{val_loss:d}.mk", r"cannot format a float"),
    ("ckpt-{epoch:.2s}.mk", r"cannot format an integer"),
    ("ckpt-{epoch!z}.mk", r"cannot format"),
    ("ckpt-{epoch:{width}}.mk", r"cannot format"),
    ("ckpt-{epoch.mk", "not a valid pattern"),
    ("ckpt-}{epoch}.mk", "not a valid pattern"),
    ("ckpt-{batch}.mk", r"\{batch\} is only filled with an integer `save_freq`"),
], ids=["empty", "positional", "attribute", "index", "spec-float", "spec-int", "conversion",
        "nested", "unclosed", "stray-brace", "batch-per-epoch"])
def test_checkpoint_checks_its_pattern_when_constructed(pattern, match):
    with pytest.raises(ValueError, match=r"`filepath`.*" + match):
        ModelCheckpoint(pattern)


@pytest.mark.parametrize("pattern, weights_only", [
    ("m-{epoch:02d}-{val_loss:.3f}.keras", False), ("m.h5", False), ("w.weights.h5", True),
    ("m-{epoch}.mk", False), ("w-{epoch}-{batch}.mk", True), ("{{literal}}-{loss:.2e}.mk", False),
])
def test_checkpoint_accepts_what_keras_accepts(pattern, weights_only, tmp_path):
    if pattern.endswith((".keras", ".h5")):
        pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')
    freq = 2 if "{batch}" in pattern else "epoch"
    model = _model()
    checkpoint = ModelCheckpoint(str(tmp_path / pattern), save_weights_only=weights_only,
                                 save_freq=freq)
    x, y = np.ones((8, 3)), np.ones((8, 1))
    model.fit(x, y, epochs=1, batch_size=4, validation_data=(x, y), callbacks=[checkpoint],
              verbose=0)
    (saved,) = os.listdir(tmp_path)
    if weights_only:
        _model().load_weights(tmp_path / saved)
    else:
        assert load_model(tmp_path / saved).count_params() == model.count_params()


def test_checkpoint_refuses_a_model_name_for_weights():
    with pytest.raises(ValueError, match=r"`filepath` must end in `\.weights\.h5`"):
        ModelCheckpoint("best.keras", save_weights_only=True)


def test_checkpoint_warns_before_training_about_a_field_no_log_fills(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_acc:.2f}.mk"))
    with pytest.warns(UserWarning, match=r"`filepath` names \['val_acc'\]"):
        with pytest.raises(KeyError):
            _model().fit(np.ones((4, 3)), np.ones((4, 1)), callbacks=[checkpoint], verbose=0)


# -- reading: crafted files --------------------------------------------------------------


def _native_entries(path):
    with np.load(path) as archive:
        entries = {k: archive[k] for k in archive.files}
    header = json.loads(entries.pop("minikeras_header").tobytes())
    return header, entries


def _write_native(path, header, entries, extra=None):
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in {"minikeras_header": np.frombuffer(json.dumps(header).encode(),
                                                              np.uint8), **entries}.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            archive.writestr(name + ".npy", buffer.getvalue())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)


@pytest.fixture
def native(tmp_path):
    path = tmp_path / NATIVE
    _model().save(path)
    return path


def _assert_refused(path, match=None, loader=load_model, peak_mb=16):
    """ValueError naming the file, with a bounded peak of traced memory."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match) as info:
            loader(path)
        assert os.path.basename(os.fspath(path)) in str(info.value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < peak_mb * 2 ** 20, f"peak {peak / 2 ** 20:.1f} MiB"


def test_a_member_without_npy_is_refused(native):
    header, entries = _native_entries(native)
    _write_native(native, header, entries, extra={"weight_9": b"\x93NUMPY"})
    _assert_refused(native, "unexpected member 'weight_9'")


@pytest.mark.parametrize("class_name", [7, None, ["Dense"], {"x": 1}, ""])
def test_a_non_string_class_name_is_refused(native, class_name):
    header, entries = _native_entries(native)
    header["model_config"]["config"]["layers"][1]["class_name"] = class_name
    _write_native(native, header, entries)
    _assert_refused(native, "class_name")


def test_deeply_nested_json_is_refused(native):
    header, entries = _native_entries(native)
    text = json.dumps(header).replace('"kind": "model"', '"kind": "model", "deep": ' +
                                      "[" * 100000 + "]" * 100000)
    entries["minikeras_header"] = np.frombuffer(text.encode(), np.uint8)
    with zipfile.ZipFile(native, "w") as archive:
        for name, array in entries.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array)
            archive.writestr(name + ".npy", buffer.getvalue())
    _assert_refused(native, "not valid JSON")


@pytest.mark.parametrize("entries", [[1, 2], ["kernel"], [None], [{"shape": "big"}],
                                     [{"shape": [3, 2], "dtype": "object"}], "weights"])
def test_load_weights_with_malformed_entries_is_refused(tmp_path, entries):
    path = tmp_path / "w.mkw"
    model = _model()
    model.save_weights(path)
    header, arrays = _native_entries(path)
    header["weights"] = entries
    _write_native(path, header, arrays)
    _assert_refused(path, "corrupted", loader=lambda p: model.load_weights(p))


def test_a_huge_layer_in_the_config_is_refused_before_allocation(native):
    header, entries = _native_entries(native)
    header["model_config"]["config"]["layers"][1]["config"]["units"] = 10 ** 9
    _write_native(native, header, entries)
    _assert_refused(native, "more than the file .* can hold")


def test_an_npy_header_declaring_13_gib_is_refused(native):
    header, entries = _native_entries(native)
    with zipfile.ZipFile(native, "w") as archive:
        archive.writestr("minikeras_header.npy", _npy(np.frombuffer(json.dumps(header).encode(),
                                                                    np.uint8)))
        for name, array in entries.items():
            data = _npy(array)
            if name == "weight_0":  # same bytes, a header declaring (60000, 60000) float32
                data = data.replace(b"(3, 2)", b"(60000, 60000)")
            archive.writestr(name + ".npy", data)
    _assert_refused(native, "declares shape")


def _npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array))
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["model.mk", "model.keras"])
def test_a_decompression_bomb_is_refused_before_inflating(name, tmp_path):
    _needs_h5(name)
    path = tmp_path / name
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    big = "weight_0.npy" if name.endswith(".mk") else "model.weights.h5"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            if member == big:  # 64 MiB of zeros that deflate to 64 KiB
                archive.writestr(member, data + bytes(64 << 20), zipfile.ZIP_DEFLATED)
            else:
                archive.writestr(member, data)
    assert path.stat().st_size < 1 << 20
    _assert_refused(path, "declares .* bytes from .* stored")


def test_declared_sizes_that_lie_are_refused(native):
    data = bytearray(native.read_bytes())
    central = data.index(b"PK\x01\x02")  # the central directory's entry for weight_0
    while data[central + 46:central + 58] != b"weight_0.npy":
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 24:central + 28] = (1_200_000_000).to_bytes(4, "little")  # 1.2 GB
    native.write_bytes(bytes(data))
    _assert_refused(native, "declares")


def test_crafted_configs_never_import_or_run_anything(tmp_path, monkeypatch):
    """Modules and callables a file names are looked up in tables, never imported or called."""
    marker = tmp_path / "ran"
    (tmp_path / "evil_module.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\n"
                                             "class Boom:\n"
                                             "    def __init__(self, **kw):\n"
                                             f"        open({str(marker)!r}, 'w').write('ran')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / NATIVE
    _model().save(path)
    header, entries = _native_entries(path)
    crafted = [
        {"module": "evil_module", "class_name": "Boom", "config": {}, "registered_name": None},
        {"module": "evil_module", "class_name": "Boom", "config": {},
         "registered_name": "evil_module>Boom"},
        {"module": "os", "class_name": "function", "config": "system",
         "registered_name": "function"},
        {"class_name": "__lambda__", "config": {"value": ["print('x')", None, None]}},
        {"module": "builtins", "class_name": "eval", "config": "1+1"},
    ]
    for entry in crafted:
        for where in ("layer", "activation", "initializer", "optimizer"):
            changed = json.loads(json.dumps(header))
            model_config = changed["model_config"]
            if where == "layer":
                model_config["config"]["layers"][1] = entry
            elif where == "activation":
                model_config["config"]["layers"][1]["config"]["activation"] = entry
            elif where == "initializer":
                model_config["config"]["layers"][1]["config"]["kernel_initializer"] = entry
            else:
                model_config["compile_config"]["optimizer"] = entry
            _write_native(path, changed, entries)
            _assert_refused(path)
    assert not marker.exists() and "evil_module" not in sys.modules


# -- reading: HDF5 --------------------------------------------------------------------------


def _h5py():
    return pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')


def _keras_style_weights(path, change):
    """A ``.weights.h5`` in Keras's layout without minikeras's checksum, after ``change(h5)``."""
    h5py = _h5py()
    model = _model()
    with h5py.File(path, "w") as h5:
        from minikeras import keras_files
        keras_files._write_weights(h5, model)
        change(h5)
    return model


def test_an_hdf5_dataset_declaring_a_huge_shape_is_refused(tmp_path):
    path = tmp_path / "w.weights.h5"

    def huge(h5):
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars"].create_dataset("0", shape=(100_000, 100_000), dtype="float32",
                                               chunks=(1000, 1000), compression="gzip")

    model = _keras_style_weights(path, huge)
    assert path.stat().st_size < 1 << 20
    _assert_refused(path, r"shape \(100000, 100000\)", loader=model.load_weights)


@pytest.mark.parametrize("link", ["soft", "external"])
def test_hdf5_links_are_not_followed(tmp_path, link):
    h5py = _h5py()
    path = tmp_path / "w.weights.h5"

    def relink(h5):
        value = h5["layers/dense/vars/0"][()]
        del h5["layers/dense/vars/0"]
        if link == "soft":
            h5["elsewhere"] = value
            h5["layers/dense/vars/0"] = h5py.SoftLink("/elsewhere")
        else:
            h5["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")

    model = _keras_style_weights(path, relink)
    _assert_refused(path, "does not follow", loader=model.load_weights)


def test_a_keras_archive_with_pickled_npz_weights_is_refused(tmp_path):
    _h5py()
    path = tmp_path / "model.keras"
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", members["config.json"])
        archive.writestr("metadata.json", members["metadata.json"])
        archive.writestr("model.weights.npz", b"PK")
    _assert_refused(path, "never unpickles")


def test_minikeras_hdf5_files_carry_a_checksum_keras_skips(tmp_path):
    _h5py()
    path = tmp_path / "model.h5"
    _model().save(path)
    head = path.read_bytes()[:520]
    assert head.startswith(b"minikeras checksum v1 crc32=") and head[512:] == b"\x89HDF\r\n\x1a\n"


# -- fuzzing -----------------------------------------------------------------------------


_SAVED = {}


def _saved_bytes(name, tmp_path_factory):
    """One file per format, written once for all fuzz examples."""
    if name not in _SAVED:
        path = tmp_path_factory.mktemp("fuzz") / name
        _save(_model(), path)
        _SAVED[name] = path.read_bytes()
    return _SAVED[name]


def _load_or_refuse(path):
    """The only outcomes allowed for a damaged file: it loads, or ValueError names it."""
    tracemalloc.start()
    try:
        try:
            _load(path)
        except ValueError as e:
            assert os.path.basename(path) in str(e)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2 ** 20, f"peak {peak / 2 ** 20:.1f} MiB"


@pytest.mark.parametrize("name", FORMATS + WEIGHT_FORMATS)
@FUZZ
@given(data=st.data())
def test_fuzz_bit_flips(name, data, tmp_path_factory):
    _needs_h5(name)
    original = _saved_bytes(name, tmp_path_factory)
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 7)),
                               min_size=1, max_size=4))
    damaged = bytearray(original)
    for index, bit in flips:
        damaged[index] ^= 1 << bit
    path = tmp_path_factory.mktemp("flip") / name
    path.write_bytes(bytes(damaged))
    _load_or_refuse(path)


@pytest.mark.parametrize("name", FORMATS + WEIGHT_FORMATS)
@FUZZ
@given(data=st.data())
def test_fuzz_truncations(name, data, tmp_path_factory):
    _needs_h5(name)
    original = _saved_bytes(name, tmp_path_factory)
    keep = data.draw(st.integers(0, len(original) - 1))
    path = tmp_path_factory.mktemp("cut") / name
    path.write_bytes(original[:keep])
    if keep == 0:
        with pytest.raises(ValueError):
            _load(path)
    else:
        _assert_refused(path, loader=_load)


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) |
                     st.floats(allow_nan=True) | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=4) |
                     st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def _leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaf_paths(item, prefix + (i,))
    yield prefix


@FUZZ
@given(data=st.data())
def test_fuzz_header_values(data, tmp_path_factory):
    """Any value anywhere in the header: the file loads or is refused with a ValueError."""
    original = tmp_path_factory.mktemp("src") / NATIVE
    if not original.exists():
        _model().save(original)
    header, entries = _native_entries(original)
    paths = sorted(_leaf_paths(header), key=repr)
    where = data.draw(st.sampled_from(paths))
    value = data.draw(_JSON)
    changed = json.loads(json.dumps(header))
    if not where:
        changed = value
    else:
        parent = changed
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = value
    path = tmp_path_factory.mktemp("header") / NATIVE
    _write_native(path, changed, entries)
    _load_or_refuse(path)


def _mutated(document, data):
    """``document`` (JSON) with one value, anywhere in it, replaced by an arbitrary one."""
    paths = sorted(_leaf_paths(document), key=repr)
    where = data.draw(st.sampled_from(paths))
    value = data.draw(_JSON)
    if not where:
        return value
    changed = json.loads(json.dumps(document))
    parent = changed
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    return changed


@pytest.mark.parametrize("member", ["config.json", "metadata.json"])
@FUZZ
@given(data=st.data())
def test_fuzz_keras_archive_json_values(member, data, tmp_path_factory):
    """Any value anywhere in a .keras archive's JSON (its CRC recomputed, as a crafted file
    would): the file loads or is refused with a ValueError naming it."""
    _needs_h5("model.keras")
    original = _saved_bytes("model.keras", tmp_path_factory)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = json.dumps(_mutated(json.loads(members[member]), data)).encode()
    path = tmp_path_factory.mktemp("keras_json") / "model.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _load_or_refuse(path)


@FUZZ
@given(data=st.data())
def test_fuzz_h5_model_config_values(data, tmp_path_factory):
    """The same for a legacy .h5 file's model_config attribute (its checksum header dropped:
    a file Keras wrote carries none)."""
    h5py = pytest.importorskip("h5py", reason='Keras files need h5py: pip install '
                                              '"minikeras[h5]"')
    original = _saved_bytes("model.h5", tmp_path_factory)
    path = tmp_path_factory.mktemp("h5_config") / "model.h5"
    path.write_bytes(original[original.index(b"\x89HDF\r\n\x1a\n"):])
    with h5py.File(path, "r+") as h5:
        config = json.loads(h5.attrs["model_config"])
        h5.attrs["model_config"] = json.dumps(_mutated(config, data)).encode()
    _load_or_refuse(path)
