"""MiniKerasClassifier / MiniKerasRegressor: scikit-learn behaviour, routing, seeding, pickling."""
import pickle
import subprocess
import sys
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
from minikeras.wrappers import MiniKerasClassifier, MiniKerasRegressor

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
