"""Scores the recommendation benchmark's per-user splits with scikit-learn reference models.

Usage: python3 taste_references.py DATA_FILE

DATA_FILE is JSON written by sklearn-taste.ts: {"vectors": [[...], ...], "users": [{"train":
[[vector index, stars], ...], "test": [[vector index, stars], ...]}, ...], "likeStars": 4}.
Each model is fitted per user on the training ratings (like = stars >= likeStars) and scored by
ROC AUC on the test ratings. A user whose training part has one class only gets AUC 0.5 from
every model. Prints one JSON object: {"sklearn": version, "models": {name: mean AUC, or null
without users}}.
"""

import json
import sys

import numpy as np
from sklearn import __version__ as sklearn_version
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score


def models():
    """Returns (name, fit-and-score function) pairs; each function returns test scores."""

    def classifier(make):
        def score(x_train, stars, likes, x_test):
            return make().fit(x_train, likes).predict_proba(x_test)[:, 1]

        return score

    def logistic(x_train, stars, likes, x_test):
        model = LogisticRegression(C=0.001, class_weight="balanced", max_iter=2000)
        return model.fit(x_train, likes).decision_function(x_test)

    def ridge_on_stars(x_train, stars, likes, x_test):
        return Ridge(alpha=1000.0).fit(x_train, stars).predict(x_test)

    def neighbours(x_train, stars, likes, x_test):
        unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        similarity = unit(x_test) @ unit(x_train).T
        nearest = np.argsort(-similarity, axis=1)[:, :10]
        return stars[nearest].mean(axis=1)

    return [
        (
            "RandomForestClassifier (100 trees, balanced)",
            classifier(
                lambda: RandomForestClassifier(
                    n_estimators=100, class_weight="balanced", n_jobs=1, random_state=0
                )
            ),
        ),
        (
            "ExtraTreesClassifier (100 trees, balanced)",
            classifier(
                lambda: ExtraTreesClassifier(
                    n_estimators=100, class_weight="balanced", n_jobs=1, random_state=0
                )
            ),
        ),
        ("LogisticRegression (C=0.001, balanced)", logistic),
        ("Ridge on stars (alpha=1000)", ridge_on_stars),
        ("mean stars of the 10 most similar rated items", neighbours),
    ]


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        data = json.load(file)
    vectors = np.asarray(data["vectors"], dtype=np.float32)
    like_stars = data["likeStars"]
    totals = {name: [] for name, _ in models()}
    for user in data["users"]:
        train = np.asarray(user["train"], dtype=np.float64)
        test = np.asarray(user["test"], dtype=np.float64)
        x_train = vectors[train[:, 0].astype(int)]
        x_test = vectors[test[:, 0].astype(int)]
        stars = train[:, 1]
        likes = stars >= like_stars
        positives = test[:, 1] >= like_stars
        for name, score in models():
            if likes.all() or not likes.any():
                totals[name].append(0.5)
                continue
            totals[name].append(roc_auc_score(positives, score(x_train, stars, likes, x_test)))
    means = {name: float(np.mean(values)) if values else None for name, values in totals.items()}
    print(json.dumps({"sklearn": sklearn_version, "models": means}))


if __name__ == "__main__":
    main()
