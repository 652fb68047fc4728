// brasa::mllib — machine learning on the core: everything in one include.
#pragma once

#include "brasa/mllib/classification/logistic_regression.h"
#include "brasa/mllib/clustering/kmeans.h"
#include "brasa/mllib/evaluation/binary_classification_evaluator.h"
#include "brasa/mllib/evaluation/regression_evaluator.h"
#include "brasa/mllib/io/libsvm.h"
#include "brasa/mllib/io/ratings.h"
#include "brasa/mllib/labeled_point.h"
#include "brasa/mllib/linalg/blas.h"
#include "brasa/mllib/linalg/vector.h"
#include "brasa/mllib/optim/lbfgs.h"
#include "brasa/mllib/random_split.h"
#include "brasa/mllib/recommendation/als.h"
#include "brasa/mllib/regression/linear_regression.h"
