"""The scikit-learn wrappers: behaviour, routing, targets, seeding, threads, pickling, twins.

MiniKeras* first, then SciKeras's KerasClassifier / KerasRegressor and Keras
3's SKLearn* interfaces, then twin tests that run the same snippet on real
SciKeras and Keras 3 (skipped, saying why, when they are not installed).
"""
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import minikeras
from minikeras import losses, optimizers, random
from minikeras.layers import Dense
from minikeras.wrappers import (KerasClassifier, KerasRegressor, MiniKerasClassifier,
                                MiniKerasRegressor, SKLearnClassifier, SKLearnRegressor,
                                SKLearnTransformer)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def cancer_scaled(cancer):
    x, y = cancer
    return StandardScaler().fit_transform(x), y


@pytest.fixture
def blobs(rng):
    """Three separable clusters in 4-D, labelled 3, 7 and 10."""
    centers = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], dtype=float)
    codes = rng.integers(0, 3, size=150)
    x = centers[codes] + rng.normal(scale=0.5, size=(150, 4))
    return x, np.array([3, 7, 10])[codes]


def small(cls=MiniKerasClassifier, **kwargs):
    """A fast estimator: one small hidden layer, a few epochs, seeded."""
    params = {"hidden_layer_sizes": (8,), "epochs": 5, "learning_rate": 0.01,
              "random_state": 0} | kwargs
    return cls(**params)


def build_net(n_features_in, n_outputs, units=4, meta=None):
    """A model function, as users write them (module level so that pickle finds it)."""
    build_net.last_meta = meta
    return minikeras.Sequential([minikeras.Input((n_features_in,)), Dense(units, activation="tanh"),
                                 Dense(n_outputs, activation="sigmoid" if n_outputs == 1
                                       else "softmax")])


def compiled_net(n_features_in, n_outputs):
    model = build_net(n_features_in, n_outputs)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.05), loss="binary_crossentropy")
    return model


def not_a_model(n_features_in, n_outputs):
    return "oops"


# -- parameters --------------------------------------------------------------------------


def test_params_are_stored_unchanged_and_routed_ones_round_trip():
    sizes = [32, 16]
    clf = MiniKerasClassifier(hidden_layer_sizes=sizes, optimizer__beta_1=0.8,
                              fit__shuffle=False)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] is sizes
    assert params["optimizer__beta_1"] == 0.8 and params["fit__shuffle"] is False
    clf.set_params(optimizer__beta_1=0.7, model__units=3, epochs=2)
    assert clf.get_params()["optimizer__beta_1"] == 0.7
    assert clf.get_params()["model__units"] == 3 and clf.epochs == 2
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and twin is not clf


def test_clone_of_a_fitted_estimator_is_unfitted(blobs):
    clf = small().fit(*blobs)
    twin = clone(clf)
    assert not hasattr(twin, "model_")
    with pytest.raises(NotFittedError):
        twin.predict(blobs[0])


def test_unknown_parameters_fail_in_fit_not_in_init(blobs):
    clf = MiniKerasClassifier(epoch=5)  # typo of `epochs`
    with pytest.raises(ValueError, match=r"Unknown parameter\(s\).*'epoch'"):
        clf.fit(*blobs)
    with pytest.raises(ValueError, match="Invalid parameter"):
        MiniKerasClassifier().set_params(epoch=5)


def test_model_params_without_a_model_function_are_rejected(blobs):
    with pytest.raises(ValueError, match="`model__\\*` parameters \\(units\\)"):
        small(model__units=3).fit(*blobs)


@pytest.mark.parametrize("model, error", [("dense", "`model` must be None or a function"),
                                          (not_a_model, "must return a minikeras Sequential")],
                         ids=["string", "returns-string"])
def test_bad_model_argument(blobs, model, error):
    with pytest.raises(TypeError, match=error):
        small(model=model).fit(*blobs)


@pytest.mark.parametrize("state", [-1, 1.5, "0"], ids=["negative", "float", "string"])
def test_bad_random_state(blobs, state):
    with pytest.raises(ValueError, match="`random_state` must be None"):
        small(random_state=state).fit(*blobs)


# -- routing to the optimizer, the loss and the model function ----------------------------


def test_learning_rate_and_optimizer_routing(blobs):
    clf = small(optimizer="sgd", learning_rate=0.3, optimizer__momentum=0.5).fit(*blobs)
    assert isinstance(clf.model_.optimizer, optimizers.SGD)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.3)
    assert clf.model_.optimizer.momentum == 0.5
    # The routed learning rate wins over the plain parameter.
    clf = small(learning_rate=0.3, optimizer__learning_rate=0.02).fit(*blobs)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.02)


def test_an_optimizer_instance_is_copied_not_shared(blobs):
    adam = optimizers.Adam(learning_rate=0.05)
    clf = small(optimizer=adam).fit(*blobs)
    assert clf.model_.optimizer is not adam and adam.iterations == 0
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.05)


def test_model_function_receives_routed_params_and_meta(blobs):
    clf = small(model=build_net, model__units=6).fit(*blobs)
    assert clf.model_.layers[0].units == 6
    meta = build_net.last_meta
    assert meta["n_classes_"] == 3 and meta["n_features_in_"] == 4
    assert meta["output_activation"] == "softmax" and meta["n_outputs"] == 3
    assert isinstance(clf.model_.loss, losses.SparseCategoricalCrossentropy)


def test_a_compiled_model_keeps_its_optimizer_and_loss(cancer_scaled):
    clf = small(model=compiled_net, optimizer="adam").fit(*cancer_scaled)
    assert isinstance(clf.model_.optimizer, optimizers.SGD)
    assert clf.score(*cancer_scaled) > 0.85


# -- classification ------------------------------------------------------------------------


def test_binary_string_labels_sigmoid_and_two_probability_columns(cancer_scaled):
    x, y = cancer_scaled
    labels = np.array(["benign", "malignant"])[1 - y]
    clf = small().fit(x, labels)
    assert clf.classes_.tolist() == ["benign", "malignant"]
    assert clf.n_outputs_ == 1 and clf.model_.layers[-1].activation.name == "sigmoid"
    assert isinstance(clf.model_.loss, losses.BinaryCrossentropy)
    proba = clf.predict_proba(x)
    assert proba.shape == (len(x), 2) and np.allclose(proba.sum(axis=1), 1)
    predicted = clf.predict(x)
    assert predicted.dtype == labels.dtype and set(predicted) <= set(labels)
    assert np.array_equal(predicted, clf.classes_[proba.argmax(axis=1)])
    assert clf.score(x, labels) > 0.9


def test_multiclass_integer_labels_keep_their_values(blobs):
    x, y = blobs
    clf = small(epochs=20).fit(x, y)
    assert clf.classes_.tolist() == [3, 7, 10] and clf.n_outputs_ == 3
    assert clf.model_.layers[-1].activation.name == "softmax"
    predicted = clf.predict(x)
    assert predicted.dtype.kind == "i" and set(predicted) <= {3, 7, 10}
    assert clf.score(x, y) > 0.95
    assert clf.predict_proba(x).shape == (150, 3)


def test_categorical_crossentropy_means_one_hot_targets(cancer_scaled):
    clf = small(loss="categorical_crossentropy").fit(*cancer_scaled)
    assert clf.n_outputs_ == 2 and clf.model_.layers[-1].activation.name == "softmax"
    assert clf._encode(np.array([0, 1])).tolist() == [[1, 0], [0, 1]]
    assert clf.score(*cancer_scaled) > 0.9


def test_from_logits_loss_still_gives_probabilities(blobs):
    clf = small(loss=losses.SparseCategoricalCrossentropy(from_logits=True), epochs=20)
    clf.fit(*blobs)
    assert clf.model_.layers[-1].activation.name == "linear"
    proba = clf.predict_proba(blobs[0])
    assert np.allclose(proba.sum(axis=1), 1) and proba.min() >= 0
    assert clf.score(*blobs) > 0.95


def test_class_weight_is_keyed_by_label(cancer_scaled):
    x, y = cancer_scaled
    labels = np.array(["no", "yes"])[y]
    heavy_yes = small().fit(x, labels, class_weight={"no": 1.0, "yes": 50.0})
    plain = small().fit(x, labels)
    assert (heavy_yes.predict(x) == "yes").sum() > (plain.predict(x) == "yes").sum()
    with pytest.raises(ValueError, match="`class_weight` keys must be labels"):
        small().fit(x, labels, class_weight={0: 1.0, 1: 2.0})


def test_validation_data_labels_are_encoded_too(cancer_scaled):
    x, y = cancer_scaled
    labels = np.array(["no", "yes"])[y]
    clf = small().fit(x[:400], labels[:400], validation_data=(x[400:], labels[400:]))
    assert len(clf.validation_loss_curve_) == 5


# -- regression -----------------------------------------------------------------------------


@pytest.mark.parametrize("n_outputs", [1, 3], ids=["single", "multi"])
def test_regressor_output_layout(rng, n_outputs):
    x = rng.normal(size=(200, 5))
    w = rng.normal(size=(5, n_outputs))
    y = x @ w if n_outputs > 1 else (x @ w).ravel()
    reg = small(MiniKerasRegressor, hidden_layer_sizes=(16,), epochs=40).fit(x, y)
    assert reg.n_outputs_ == n_outputs and isinstance(reg.model_.loss, losses.MeanSquaredError)
    assert reg.model_.layers[-1].activation.name == "linear"
    assert reg.predict(x).shape == y.shape
    assert reg.score(x, y) > 0.9


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_predictions_come_back_in_the_input_float_dtype(rng, dtype):
    x = rng.normal(size=(40, 3)).astype(dtype)
    reg = small(MiniKerasRegressor).fit(x, x.sum(axis=1))
    assert reg.predict(x).dtype == dtype
    clf = small().fit(x, x[:, 0] > 0)
    assert clf.predict_proba(x).dtype == dtype


# -- repeatability, warm start, partial_fit, curves -----------------------------------------


def test_random_state_makes_fits_bitwise_repeatable(blobs):
    first = small().fit(*blobs).model_.get_weights()
    second = small().fit(*blobs).model_.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    other = small(random_state=1).fit(*blobs).model_.get_weights()
    assert not np.array_equal(first[0], other[0])


def test_random_state_matches_a_hand_written_seeded_script(cancer_scaled):
    x, y = cancer_scaled
    clf = small(batch_size=64).fit(x, y)
    random.set_seed(0)
    model = minikeras.Sequential([minikeras.Input((30,)), Dense(8, activation="relu"),
                                  Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    model.fit(x.astype("float32"), y.astype("float32"), batch_size=64, epochs=5, verbose=0)
    assert all(np.array_equal(a, b)
               for a, b in zip(clf.model_.get_weights(), model.get_weights()))


def test_random_state_none_does_not_reseed(blobs):
    random.set_seed(5)
    generator = random.generator()
    first = small(random_state=None).fit(*blobs)
    assert random.generator() is generator  # set_seed would have replaced it
    second = small(random_state=None).fit(*blobs)
    assert not np.array_equal(first.model_.get_weights()[0], second.model_.get_weights()[0])


def test_warm_start_continues_training(blobs):
    clf = small(warm_start=True)
    clf.fit(*blobs)
    model, weights = clf.model_, clf.model_.get_weights()[0].copy()
    clf.fit(*blobs)
    assert clf.model_ is model and clf.n_iter_ == 10 and len(clf.loss_curve_) == 10
    assert not np.array_equal(weights, clf.model_.get_weights()[0])
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    cold = small().fit(*blobs)
    model = cold.model_
    assert cold.fit(*blobs).model_ is not model and cold.n_iter_ == 5


def test_warm_start_with_random_state_is_repeatable(blobs):
    runs = [small(warm_start=True).fit(*blobs).fit(*blobs).model_.get_weights()
            for _ in range(2)]
    assert all(np.array_equal(a, b) for a, b in zip(*runs))


def test_partial_fit_runs_one_epoch_and_checks_classes(blobs):
    x, y = blobs
    clf = small()
    first = y != 10
    clf.partial_fit(x[first], y[first], classes=[3, 7, 10])
    assert clf.n_iter_ == 1 and clf.classes_.tolist() == [3, 7, 10] and clf.n_outputs_ == 3
    clf.partial_fit(x, y)
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match=r"labels absent from `classes_`.*\[99\]"):
        clf.partial_fit(x[:3], [3, 7, 99])
    reg = small(MiniKerasRegressor).partial_fit(x, x[:, 0]).partial_fit(x, x[:, 0])
    assert reg.n_iter_ == 2


def test_loss_curves_and_history(cancer_scaled):
    clf = small(validation_split=0.2, metrics=["accuracy"]).fit(*cancer_scaled)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5
    assert len(clf.validation_loss_curve_) == 5
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert clf.loss_curve_ == clf.history_["loss"]
    assert small().fit(*cancer_scaled).validation_loss_curve_ is None


# -- persistence ------------------------------------------------------------------------------


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads), ("joblib", "joblib")],
                         ids=["pickle", "joblib"])
def test_fitted_estimators_pickle(blobs, tmp_path, dumps, loads):
    x, y = blobs
    for est in (small(model=build_net, model__units=5).fit(x, y),
                small(MiniKerasRegressor).fit(x, x[:, :2])):
        if dumps == "joblib":
            joblib.dump(est, tmp_path / "est.joblib")
            copy = joblib.load(tmp_path / "est.joblib")
        else:
            copy = loads(dumps(est))
        assert np.array_equal(copy.predict(x), est.predict(x))
        copy.partial_fit(x, y if is_classifier(est) else x[:, :2])


# -- input checks, in scikit-learn's words ------------------------------------------------------


def test_not_fitted_error_before_fit(blobs):
    for method in ("predict", "predict_proba"):
        with pytest.raises(NotFittedError):
            getattr(MiniKerasClassifier(), method)(blobs[0])
    with pytest.raises(NotFittedError):
        MiniKerasRegressor().predict(blobs[0])


@pytest.mark.parametrize("case, error, match", [
    ("nan", ValueError, "Input X contains NaN"),
    ("lengths", ValueError, "inconsistent numbers of samples"),
    ("continuous", ValueError, "Unknown label type"),
    ("one-class", ValueError, "at least 2 classes.*only one class"),
    ("1d-x", ValueError, "Expected 2D array"),
], ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_bad_input_messages(blobs, case, error, match):
    x, y = blobs
    x, y = {"nan": (np.where(x > 2, np.nan, x), y), "lengths": (x, y[:-1]),
            "continuous": (x, x[:, 0]), "one-class": (x, np.zeros(len(x))),
            "1d-x": (x[:, 0], y)}[case]
    with pytest.raises(error, match=match):
        small().fit(x, y)


def test_wrong_feature_count_at_predict(blobs):
    clf = small().fit(*blobs)
    with pytest.raises(ValueError, match="X has 3 features, but MiniKerasClassifier is "
                                         "expecting 4 features"):
        clf.predict(blobs[0][:, :3])


# -- scikit-learn tools on breast cancer -------------------------------------------------------


def test_pipeline_with_standard_scaler(cancer):
    x, y = cancer
    pipe = Pipeline([("scale", StandardScaler()), ("clf", small(epochs=10))])
    pipe.fit(x[:400], y[:400])
    assert pipe.score(x[400:], y[400:]) > 0.9
    assert roc_auc_score(y[400:], pipe.predict_proba(x[400:])[:, 1]) > 0.95


def test_grid_search_reaches_plain_and_routed_params(cancer):
    x, y = cancer
    pipe = Pipeline([("scale", StandardScaler()), ("clf", small())])
    grid = {"clf__hidden_layer_sizes": [(2,), (8,)],
            "clf__optimizer__learning_rate": [1e-4, 1e-2]}
    search = GridSearchCV(pipe, grid, cv=3).fit(x, y)
    assert search.best_params_["clf__optimizer__learning_rate"] == 1e-2
    assert search.best_estimator_[-1].model_.optimizer.learning_rate == pytest.approx(1e-2)
    assert search.best_score_ > 0.9


def test_cross_val_score_in_two_processes(cancer):
    x, y = cancer
    pipe = Pipeline([("scale", StandardScaler()), ("clf", small(model=build_net))])
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    parallel = cross_val_score(pipe, x, y, cv=folds, n_jobs=2)
    serial = cross_val_score(pipe, x, y, cv=folds, n_jobs=1)
    assert parallel.min() > 0.85
    np.testing.assert_array_equal(parallel, serial)  # seeded: same scores in any process


def test_clone_gives_an_identical_refit(cancer_scaled):
    clf = small(optimizer__beta_1=0.85).fit(*cancer_scaled)
    twin = clone(clf).fit(*cancer_scaled)
    assert twin.model_.optimizer.beta_1 == 0.85
    np.testing.assert_array_equal(twin.predict_proba(cancer_scaled[0]),
                                  clf.predict_proba(cancer_scaled[0]))


def test_calibrated_classifier(cancer_scaled):
    x, y = cancer_scaled
    calibrated = CalibratedClassifierCV(small(), cv=3).fit(x[:400], y[:400])
    proba = calibrated.predict_proba(x[400:])
    assert proba.shape == (len(x) - 400, 2)
    assert roc_auc_score(y[400:], proba[:, 1]) > 0.95


# -- the example ----------------------------------------------------------------------------------


def test_grid_search_example_quick_mode():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "sklearn_grid_search.py"),
                             "--quick"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("MiniKerasClassifier") and lines[2].startswith("MLPClassifier")
    score = float(lines[1].split("best CV accuracy ")[1].split()[0])
    assert 0.8 < score <= 1.0


# -- hidden_layer_sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(16, -2), (0,), 16.0, "16", (16.5,), True, [[16]], None],
                         ids=["negative", "zero", "float", "string", "float-item", "bool",
                              "nested", "none"])
def test_hidden_layer_sizes_must_be_positive_integers(blobs, sizes):
    with pytest.raises(ValueError, match=r"`hidden_layer_sizes` must be a tuple of positive "
                                         r"integers.*Received: hidden_layer_sizes="):
        small(hidden_layer_sizes=sizes).fit(*blobs)


@pytest.mark.parametrize("sizes, widths", [(6, [6]), ([5, 4], [5, 4]), ((), []),
                                           (np.array([3]), [3])],
                         ids=["int", "list", "empty", "array"])
def test_hidden_layer_sizes_accepted_forms(blobs, sizes, widths):
    clf = small(hidden_layer_sizes=sizes).fit(*blobs)
    assert [layer.units for layer in clf.model_.layers[:-1]] == widths


# -- randomness: each fit draws from its own generator ---------------------------------------------


def test_using_overrides_the_generator_in_this_thread_only():
    random.set_seed(3)
    process_wide = random.generator()
    state = process_wide.bit_generator.state
    seen = {}
    with random.using(7) as mine:
        assert random.generator() is mine
        other = threading.Thread(target=lambda: seen.update(gen=random.generator()))
        other.start()
        other.join()
        with random.using(np.random.default_rng(8)) as inner:
            assert random.generator() is inner
        assert random.generator() is mine
        first = mine.random()
    assert seen["gen"] is process_wide  # another thread keeps the process-wide generator
    assert random.generator() is process_wide
    assert process_wide.bit_generator.state == state  # not advanced by the block
    assert first == np.random.default_rng(7).random()
    with pytest.raises(ValueError, match="`rng` must be a numpy Generator or a non-negative "
                                         "integer seed. Received: rng=-1"):
        with random.using(-1):
            pass


def test_a_seeded_fit_leaves_the_global_generator_alone(blobs):
    random.set_seed(11)
    state = random.generator().bit_generator.state
    small(random_state=4).fit(*blobs)
    assert random.generator().bit_generator.state == state


def dropout_net(n_features_in, n_outputs, rate=0.2):
    """A network whose every fit also draws dropout masks."""
    return minikeras.Sequential([minikeras.Input((n_features_in,)), Dense(8, activation="relu"),
                                 minikeras.layers.Dropout(rate),
                                 Dense(n_outputs, activation="sigmoid")])


def test_threaded_grid_search_equals_the_serial_one(cancer_scaled):
    """Fits running side by side in threads draw from their own generators: same scores."""
    x, y = cancer_scaled
    search = GridSearchCV(small(model=dropout_net, epochs=3, batch_size=16),
                          {"model__rate": [0.1, 0.5], "optimizer__learning_rate": [1e-3, 1e-2]},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=2)
    keys = [f"split{i}_test_score" for i in range(3)]
    serial = clone(search).set_params(n_jobs=1).fit(x, y).cv_results_
    for _ in range(3):
        with joblib.parallel_backend("threading"):
            threaded = clone(search).fit(x, y).cv_results_
        for key in keys:
            np.testing.assert_array_equal(threaded[key], serial[key])


# -- pickling compactly ---------------------------------------------------------------------------


def test_a_pickled_fitted_estimator_is_compact(cancer_scaled):
    """What crosses the wire to a worker is weights and optimizer state, not data."""
    x, y = cancer_scaled
    clf = small(hidden_layer_sizes=(16,)).fit(x, y)
    size = len(pickle.dumps(clf))
    # 30-16-1 with Adam: 513 weights and 2 x 513 moments, 4 bytes each = 6,156 bytes.
    state = 3 * 4 * clf.model_.count_params()
    assert size < 4 * state + 16_000, size
    bigger = small(hidden_layer_sizes=(16,)).fit(np.repeat(x, 10, axis=0), np.repeat(y, 10))
    assert abs(len(pickle.dumps(bigger)) - size) < 1_000  # no trace of 10x the rows
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(x), clf.predict_proba(x))


def test_pickle_size_does_not_grow_after_a_large_predict(cancer_scaled):
    x, y = cancer_scaled
    clf = small(hidden_layer_sizes=(16,)).fit(x, y)
    size = len(pickle.dumps(clf))
    clf.set_params(predict__batch_size=-1).predict(np.repeat(x, 20, axis=0))
    assert len(pickle.dumps(clf)) < size + 2_000


# -- SciKeras's interface: KerasClassifier / KerasRegressor ----------------------------------------


def scikeras_net(meta, hidden=4, compile_kwargs=None):
    """A SciKeras build function: its own parameter, the shapes from `meta`, left uncompiled."""
    scikeras_net.calls.append({"meta": meta, "hidden": hidden, "compile_kwargs": compile_kwargs})
    return minikeras.Sequential([minikeras.Input((meta["n_features_in_"],)),
                                 Dense(hidden, activation="relu"),
                                 Dense(meta["n_outputs"], activation=meta["output_activation"])])


scikeras_net.calls = []


def scikeras_compiling_net(meta, compile_kwargs):
    """A SciKeras build function that compiles with what the wrapper hands it."""
    model = scikeras_net(meta)
    model.compile(**compile_kwargs)
    return model


def keras_clf(cls=KerasClassifier, **kwargs):
    params = {"model": scikeras_net, "optimizer": "adam", "optimizer__learning_rate": 0.01,
              "epochs": 5, "verbose": 0, "random_state": 0} | kwargs
    return cls(**params)


@pytest.fixture
def calls():
    scikeras_net.calls.clear()
    return scikeras_net.calls


def test_scikeras_defaults_are_scikeras_ones():
    params = KerasClassifier().get_params()
    assert params["optimizer"] == "rmsprop" and params["epochs"] == 1 and params["verbose"] == 1
    assert params["batch_size"] is None and params["loss"] is None
    assert set(KerasRegressor().get_params()) == set(params) - {"class_weight"}


def test_build_function_gets_its_own_params_and_meta(cancer_scaled, calls):
    x, y = cancer_scaled
    labels = np.array(["no", "yes"])[y]
    clf = keras_clf(loss="binary_crossentropy", hidden=3).fit(x, labels)
    assert calls[-1]["hidden"] == 3 and calls[-1]["compile_kwargs"] is not None
    meta = calls[-1]["meta"]
    assert meta["target_type_"] == "binary" and meta["classes_"].tolist() == ["no", "yes"]
    assert meta["n_classes_"] == 2 and meta["n_outputs_"] == 1 and meta["n_outputs_expected_"] == 1
    assert meta["n_features_in_"] == 30 and meta["X_shape_"] == x.shape
    assert meta["X_dtype_"] == np.float64 and meta["y_ndim_"] == 1 and meta["y_dtype_"].kind == "U"
    assert meta["n_outputs"] == 1 and meta["output_activation"] == "sigmoid"
    for key in ("target_type_", "classes_", "n_classes_", "n_outputs_", "X_shape_", "y_ndim_"):
        assert np.array_equal(getattr(clf, key), meta[key])  # SciKeras copies meta onto itself
    # `model__x` wins over a plain keyword argument, and reaches the function too.
    keras_clf(loss="binary_crossentropy", hidden=3, model__hidden=5).fit(x, labels)
    assert calls[-1]["hidden"] == 5
    assert clf.score(x, labels) > 0.85 and clf.initialized_ and clf.current_epoch == 5


def test_compile_kwargs_carry_the_routed_optimizer_loss_and_metrics(cancer_scaled):
    clf = keras_clf(model=scikeras_compiling_net, loss="binary_crossentropy",
                    optimizer__learning_rate=0.03, metrics=[minikeras.metrics.Precision],
                    metrics__0__thresholds=0.3).fit(*cancer_scaled)
    assert isinstance(clf.model_.optimizer, optimizers.Adam)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.03)
    precision = clf.model_.metrics[1].metrics[0]  # model.metrics: [loss, compile_metrics]
    assert precision.thresholds == [0.3]   # a list, as in Keras
    # "precision", or "precision_<n>" after other Precision objects: Keras 3 numbers names.
    assert set(clf.history_) == {"loss", precision.name}
    assert precision.name.startswith("precision")


def test_an_uncompiled_model_without_loss_is_an_error(cancer_scaled):
    with pytest.raises(ValueError, match="KerasClassifier needs a loss: pass `loss`"):
        keras_clf().fit(*cancer_scaled)


def test_one_hot_targets_train_categorical_and_predict_one_hot(blobs):
    x, labels = blobs
    onehot = (labels[:, None] == np.array([3, 7, 10])).astype(float)
    clf = keras_clf(loss="categorical_crossentropy", epochs=20).fit(x, onehot)
    # scikit-learn's name, as SciKeras keeps it; the rows are still read as one-hot.
    assert clf.target_type_ == "multilabel-indicator" and clf.classes_.tolist() == [0, 1, 2]
    assert isinstance(clf.model_.loss, losses.CategoricalCrossentropy)
    predicted = clf.predict(x)
    assert predicted.shape == (150, 3) and predicted.dtype.kind == "i"
    assert np.all(predicted.sum(axis=1) == 1)
    assert clf.score(x, onehot) > 0.9


def test_labels_with_categorical_crossentropy_are_one_hot_encoded(blobs):
    x, labels = blobs
    clf = keras_clf(loss="categorical_crossentropy", epochs=20).fit(x, labels)
    assert clf.target_type_ == "multiclass" and clf.model_.output_shape == (None, 3)
    assert clf._encode(np.array([7, 3])).tolist() == [[0, 1, 0], [1, 0, 0]]
    assert set(clf.predict(x)) <= {3, 7, 10} and clf.score(x, labels) > 0.9


def test_multilabel_targets(rng):
    x = rng.normal(size=(200, 4))
    y = np.stack([x[:, 0] > 0, x[:, 1] > 0, x[:, 0] + x[:, 1] > 0], axis=1).astype(int)
    clf = keras_clf(loss="binary_crossentropy", hidden=16, epochs=40).fit(x, y)
    assert clf.target_type_ == "multilabel-indicator" and clf.n_classes_ == 3
    assert clf.model_.layers[-1].activation.name == "sigmoid"
    proba = clf.predict_proba(x)
    assert proba.shape == (200, 3) and np.array_equal(clf.predict(x), (proba > 0.5).astype(int))
    assert clf.score(x, y) > 0.8  # subset accuracy, as scikit-learn and SciKeras


def test_column_targets_keep_their_layout(cancer_scaled):
    x, y = cancer_scaled
    clf = keras_clf(loss="binary_crossentropy").fit(x, y[:, None])
    assert clf.predict(x).shape == (len(x), 1) and clf.predict_proba(x).shape == (len(x), 2)
    reg = keras_clf(KerasRegressor, loss="mse").fit(x, x[:, :1])
    assert reg.predict(x).shape == (len(x), 1)


def test_class_weight_balanced_is_sample_weight(cancer_scaled):
    from sklearn.utils.class_weight import compute_sample_weight
    x, y = cancer_scaled
    balanced = keras_clf(loss="binary_crossentropy", class_weight="balanced").fit(x, y)
    by_hand = keras_clf(loss="binary_crossentropy").fit(
        x, y, sample_weight=compute_sample_weight("balanced", y))
    assert all(np.array_equal(a, b) for a, b in zip(balanced.model_.get_weights(),
                                                     by_hand.model_.get_weights()))


def test_callback_classes_are_built_from_routed_params(cancer_scaled):
    clf = keras_clf(loss="binary_crossentropy", epochs=10,
                    callbacks=[minikeras.callbacks.EarlyStopping], callbacks__monitor="loss",
                    callbacks__min_delta=1e9).fit(*cancer_scaled)
    assert clf.current_epoch == 2  # stopped once the loss did not improve by 1e9
    with pytest.raises(TypeError, match="`callbacks__\\*` parameters .*already an object"):
        keras_clf(loss="binary_crossentropy", callbacks=[minikeras.callbacks.History()],
                  callbacks__patience=2).fit(*cancer_scaled)


def test_partial_fit_appends_and_fit_restarts_the_history(cancer_scaled):
    x, y = cancer_scaled
    clf = keras_clf(loss="binary_crossentropy", epochs=3)
    clf.partial_fit(x, y).partial_fit(x, y)
    assert clf.current_epoch == 2 and len(clf.history_["loss"]) == 2
    clf.fit(x, y)
    assert clf.current_epoch == 3  # SciKeras: each fit starts a new history
    with pytest.raises(ValueError, match="`partial_fit` trains for exactly one epoch"):
        clf.partial_fit(x, y, epochs=3)


def test_initialize_builds_without_training(cancer_scaled):
    x, y = cancer_scaled
    clf = keras_clf(loss="binary_crossentropy").initialize(x, y)
    assert clf.initialized_ and not hasattr(clf, "history_") and clf.current_epoch == 0
    assert clf.predict_proba(x).shape == (len(x), 2)
    with pytest.raises(ValueError, match="`initialize` needs `y`"):
        keras_clf().initialize(x)


def test_build_fn_alias_warns_and_a_model_object_is_copied(cancer_scaled):
    x, y = cancer_scaled
    with pytest.warns(UserWarning, match="`build_fn` is SciKeras's former name"):
        keras_clf(model=None, build_fn=scikeras_net, loss="binary_crossentropy").fit(x, y)
    given = minikeras.Sequential([minikeras.Input((30,)), Dense(1, activation="sigmoid")])
    before = given.get_weights()
    clf = keras_clf(model=given, loss="binary_crossentropy").fit(x, y)
    assert clf.model_ is not given and all(np.array_equal(a, b)
                                           for a, b in zip(given.get_weights(), before))
    with pytest.raises(ValueError, match="KerasClassifier needs `model`"):
        KerasClassifier(loss="mse").fit(x, y)


def test_batch_size_minus_one_is_one_batch(cancer_scaled):
    clf = keras_clf(loss="binary_crossentropy", batch_size=-1, epochs=2, optimizer="sgd",
                    optimizer__learning_rate=0.1).fit(*cancer_scaled)
    assert clf.model_.optimizer.iterations == 2  # one step per epoch


def test_keras_regressor_with_free_params(rng):
    x = rng.normal(size=(200, 5))
    y = x @ rng.normal(size=5)
    reg = keras_clf(KerasRegressor, loss="mse", hidden=16, epochs=60).fit(x, y)
    assert reg.n_outputs_ == 1 and reg.target_type_ == "continuous"
    assert reg.predict(x).shape == (200,) and reg.score(x, y) > 0.9


def test_scikeras_params_survive_clone_and_grid_search(cancer_scaled):
    x, y = cancer_scaled
    search = GridSearchCV(keras_clf(loss="binary_crossentropy", hidden=2),  # known to set_params
                          {"hidden": [2, 6], "optimizer__learning_rate": [1e-3, 3e-2]}, cv=3)
    search.fit(x, y)
    assert search.best_params_["optimizer__learning_rate"] == 3e-2
    assert search.best_estimator_.model_.layers[0].units == search.best_params_["hidden"]


# -- Keras 3's interface: SKLearnClassifier / SKLearnRegressor / SKLearnTransformer -----------------


def keras3_net(X, y, loss="categorical_crossentropy", hidden=4):
    """A Keras 3 SKLearn* build function: compiled, shaped by X and y."""
    keras3_net.seen_y = y
    model = minikeras.Sequential([minikeras.Input((X.shape[1],)), Dense(hidden, activation="relu"),
                                  Dense(y.shape[1], activation="softmax"
                                        if loss == "categorical_crossentropy" else "linear")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss=loss)
    return model


def test_sklearn_classifier_hands_one_hot_y_and_keeps_keras_attributes(blobs):
    x, labels = blobs
    clf = SKLearnClassifier(keras3_net, model_kwargs={"hidden": 6},
                            fit_kwargs={"epochs": 4, "verbose": 0}).fit(x, labels)
    assert keras3_net.seen_y.shape == (150, 3) and set(np.unique(keras3_net.seen_y)) == {0, 1}
    assert clf.model_.layers[0].units == 6 and clf.classes_.tolist() == [3, 7, 10]
    assert isinstance(clf.history_, minikeras.callbacks.History)
    assert len(clf.history_.history["loss"]) == 4
    assert clf.decision_function(x).shape == (150, 3)
    assert not hasattr(clf, "predict_proba")  # as Keras's
    assert set(clf.predict(x)) <= {3, 7, 10}
    clf.fit(x, labels, epochs=2)  # fit's own arguments win over fit_kwargs
    assert len(clf.history_.history["loss"]) == 2
    assert clf.fit_kwargs == {"epochs": 4, "verbose": 0}  # and do not change them


def test_sklearn_classifier_errors(blobs):
    x, labels = blobs
    uncompiled = lambda X, y: minikeras.Sequential([minikeras.Input((4,)), Dense(3)])  # noqa: E731
    with pytest.raises(RuntimeError, match="Given model needs to be compiled"):
        SKLearnClassifier(uncompiled, fit_kwargs={"verbose": 0}).fit(x, labels)
    with pytest.raises(ValueError, match="y should be a 1d array"):  # scikit-learn's words
        SKLearnClassifier(keras3_net).fit(x, np.ones((150, 2), dtype=int))
    with pytest.raises(ValueError, match="Unknown label type"):
        SKLearnClassifier(keras3_net).fit(x, x[:, 0])


def test_sklearn_wrapper_clones_a_compiled_model_with_fresh_weights(blobs):
    x, labels = blobs
    given = keras3_net(x, np.eye(3)[:1])
    before = given.get_weights()
    clf = SKLearnClassifier(given, fit_kwargs={"epochs": 2, "verbose": 0}).fit(x, labels)
    assert clf.model_ is not given
    assert not np.array_equal(clf.model_.get_weights()[0], before[0])
    assert all(np.array_equal(a, b) for a, b in zip(given.get_weights(), before))
    assert type(clf.model_.optimizer) is type(given.optimizer)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.01)


def test_sklearn_regressor_and_transformer(rng):
    x = rng.normal(size=(100, 4))
    reg = SKLearnRegressor(keras3_net, model_kwargs={"loss": "mse"},
                           fit_kwargs={"verbose": 0}).fit(x, x[:, 0])
    assert keras3_net.seen_y.shape == (100, 1) and reg.predict(x).shape == (100,)
    pipe = Pipeline([("scale", StandardScaler()),
                     ("embed", SKLearnTransformer(keras3_net, model_kwargs={"loss": "mse"},
                                                  fit_kwargs={"verbose": 0}))])
    assert pipe.fit(x, x[:, :2]).transform(x).shape == (100, 2)


# -- twins: the same snippet on SciKeras and on Keras 3 ---------------------------------------------


def _keras():
    from conftest import import_keras
    return import_keras()


def _scikeras():
    _keras()
    return pytest.importorskip("scikeras.wrappers", reason="SciKeras (the `reference` extra) "
                                                           "is not installed")


def twin_build(lib, meta, compile_kwargs, hidden=4):
    """One build function for both libraries (`lib` is `keras` or `minikeras`), by the task."""
    twin_build.meta[lib.__name__] = meta
    units, activation, loss = {
        "binary": (1, "sigmoid", "binary_crossentropy"),
        "multiclass": (meta["n_classes_"], "softmax", "sparse_categorical_crossentropy"),
        "multilabel-indicator": (meta["n_classes_"], "sigmoid", "binary_crossentropy"),
    }[meta["target_type_"]]
    model = lib.Sequential([lib.Input((meta["n_features_in_"],)),
                            lib.layers.Dense(hidden, activation="relu"),
                            lib.layers.Dense(units, activation=activation)])
    model.compile(optimizer=compile_kwargs["optimizer"], loss=compile_kwargs["loss"] or loss,
                  metrics=compile_kwargs["metrics"])
    return model


twin_build.meta = {}


def _twin_targets(case, rng):
    x = rng.normal(size=(60, 4))
    codes = np.argmax(x[:, :3], axis=1)
    return x, {"binary-strings": np.array(["no", "yes"])[(x[:, 0] > 0).astype(int)],
               "multiclass": np.array([3, 7, 10])[codes],
               "column": (x[:, :1] > 0).astype(int),
               "one-hot": np.eye(3)[codes],
               "labels-cce": np.array([3, 7, 10])[codes],
               "multilabel": (x[:, :3] > 0).astype(int)}[case]


@pytest.mark.parametrize("case", ["binary-strings", "multiclass", "column", "one-hot",
                                  "labels-cce", "multilabel"])
def test_twin_scikeras_targets(case, rng):
    """Same data, same build function: the same classes, target types, meta and layouts."""
    import functools
    keras, wrappers = _keras(), _scikeras()
    x, y = _twin_targets(case, rng)
    loss = "categorical_crossentropy" if case == "labels-cce" else None
    fitted = {}
    for lib, cls in ((keras, wrappers.KerasClassifier), (minikeras, KerasClassifier)):
        est = cls(functools.partial(twin_build, lib), loss=loss, optimizer="adam",
                  metrics=["accuracy"], epochs=2, verbose=0, random_state=0)
        fitted[lib.__name__] = est.fit(x, y)
    theirs, ours = fitted["keras"], fitted["minikeras"]
    for attribute in ("target_type_", "n_classes_", "n_outputs_", "n_outputs_expected_",
                      "n_features_in_", "y_ndim_", "X_shape_"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    missing = set(twin_build.meta["keras"]) - set(twin_build.meta["minikeras"])
    assert missing == {"feature_encoder_", "target_encoder_"}  # SciKeras's transformer objects
    for method in ("predict", "predict_proba"):
        a, b = getattr(ours, method)(x), getattr(theirs, method)(x)
        assert a.shape == b.shape and a.dtype.kind == b.dtype.kind, method
    assert set(ours.predict(x).ravel()) <= set(np.unique(y))
    assert set(ours.history_) == set(theirs.history_) == {"loss", "accuracy"}
    assert 0 <= ours.score(x, y) <= 1


def test_twin_scikeras_routing_and_params(rng):
    import functools
    keras, wrappers = _keras(), _scikeras()
    x, y = _twin_targets("multiclass", rng)
    fitted = {}
    for lib, cls in ((keras, wrappers.KerasClassifier), (minikeras, KerasClassifier)):
        est = cls(functools.partial(twin_build, lib), optimizer="adam",
                  optimizer__learning_rate=0.02, hidden=3, verbose=0, random_state=0)
        assert est.get_params()["hidden"] == 3
        fitted[lib.__name__] = est.fit(x, y)
        assert est.model_.layers[0].units == 3  # a free parameter reaches the build function
        est.set_params(model__hidden=5).fit(x, y)
        assert est.model_.layers[0].units == 5  # and model__ wins over it
        assert float(est.model_.optimizer.learning_rate) == pytest.approx(0.02)
        est.partial_fit(x, y)
        assert est.current_epoch == 2
    theirs, ours = fitted["keras"], fitted["minikeras"]
    assert set(ours.get_params()) == set(theirs.get_params())
    assert set(KerasRegressor().get_params()) == set(wrappers.KerasRegressor().get_params())


def twin_keras3_build(lib, X, y, loss="categorical_crossentropy"):
    twin_keras3_build.seen[lib.__name__] = y
    model = lib.Sequential([lib.Input((X.shape[1],)), lib.layers.Dense(4, activation="relu"),
                            lib.layers.Dense(y.shape[1], activation="softmax"
                                             if loss == "categorical_crossentropy" else None)])
    model.compile(optimizer="adam", loss=loss)
    return model


twin_keras3_build.seen = {}


@pytest.mark.parametrize("task", ["classifier", "regressor-1d", "regressor-2d"])
def test_twin_keras3_sklearn_wrappers(task, rng):
    import functools
    keras = _keras()
    from keras.wrappers import SKLearnClassifier as TheirClassifier
    from keras.wrappers import SKLearnRegressor as TheirRegressor
    x, labels = _twin_targets("multiclass", rng)
    y = {"classifier": labels, "regressor-1d": x[:, 0], "regressor-2d": x[:, :2]}[task]
    loss = "categorical_crossentropy" if task == "classifier" else "mse"
    pairs = ((minikeras, SKLearnClassifier if task == "classifier" else SKLearnRegressor),
             (keras, TheirClassifier if task == "classifier" else TheirRegressor))
    fitted = {}
    for lib, cls in pairs:
        est = cls(functools.partial(twin_keras3_build, lib), model_kwargs={"loss": loss},
                  fit_kwargs={"epochs": 2, "verbose": 0})
        if task == "regressor-2d" and lib is keras:  # ours goes beyond Keras: several columns
            with pytest.raises(ValueError, match="y should be a 1d array"):
                est.fit(x, y)
            assert fitted["minikeras"].predict(x).shape == y.shape
            return
        fitted[lib.__name__] = est.fit(x, y)
    theirs, ours = fitted["keras"], fitted["minikeras"]
    seen = twin_keras3_build.seen
    assert seen["minikeras"].shape == seen["keras"].shape
    np.testing.assert_array_equal(seen["minikeras"], seen["keras"])  # one-hot or 2-D y
    a, b = ours.predict(x), theirs.predict(x)
    assert a.shape == b.shape and a.dtype.kind == b.dtype.kind
    assert set(ours.get_params()) == set(theirs.get_params())
    assert set(ours.history_.history) == set(theirs.history_.history) == {"loss"}
    assert hasattr(ours, "predict_proba") == hasattr(theirs, "predict_proba")
    if task == "classifier":
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        assert ours.decision_function(x).shape == theirs.decision_function(x).shape
