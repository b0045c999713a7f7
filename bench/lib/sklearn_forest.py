"""Trains scikit-learn's RandomForestClassifier on a data file written by sklearn-forest.ts.

Usage: python3 sklearn_forest.py DATA_FILE N_ESTIMATORS RANDOM_STATE [RANDOM_STATE ...]

DATA_FILE (little-endian): int32 train count, test count, feature count; float32 train rows;
int32 train labels; float32 test rows; int32 test labels. Prints one JSON object per random state
with fit and predict CPU seconds of this process (one thread), test accuracy and pickled
model bytes.
"""

import json
import pickle
import sys
import time

import numpy as np
from sklearn import __version__ as sklearn_version
from sklearn.ensemble import RandomForestClassifier


def read_data(path):
    with open(path, "rb") as file:
        train_count, test_count, feature_count = np.frombuffer(file.read(12), dtype="<i4")
        x_train = np.frombuffer(file.read(4 * train_count * feature_count), dtype="<f4")
        y_train = np.frombuffer(file.read(4 * train_count), dtype="<i4")
        x_test = np.frombuffer(file.read(4 * test_count * feature_count), dtype="<f4")
        y_test = np.frombuffer(file.read(4 * test_count), dtype="<i4")
    return (
        x_train.reshape(train_count, feature_count),
        y_train,
        x_test.reshape(test_count, feature_count),
        y_test,
    )


def main():
    path, n_estimators = sys.argv[1], int(sys.argv[2])
    x_train, y_train, x_test, y_test = read_data(path)
    for random_state in (int(value) for value in sys.argv[3:]):
        model = RandomForestClassifier(
            n_estimators=n_estimators, n_jobs=1, random_state=random_state
        )
        start = time.process_time()
        model.fit(x_train, y_train)
        fit_seconds = time.process_time() - start
        start = time.process_time()
        predicted = model.predict(x_test)
        predict_seconds = time.process_time() - start
        result = {
            "version": sklearn_version,
            "randomState": random_state,
            "fitSeconds": fit_seconds,
            "predictSeconds": predict_seconds,
            "accuracy": float(np.mean(predicted == y_test)),
            "modelBytes": len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)),
        }
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
