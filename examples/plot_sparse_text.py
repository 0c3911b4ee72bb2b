"""
Sparse, text-like data
======================

Word counts are sparse: most documents use few words of a large vocabulary.
lassokit takes ``scipy.sparse`` matrices as they are -- it never densifies or
centres them (the intercept is handled by implicit centring) -- so memory
stays proportional to the number of non-zero entries.

Here we build a synthetic corpus: word frequencies follow Zipf's law, and a
document's score depends on a handful of "sentiment" words. The Lasso should
find those words among thousands.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import train_test_split

import lassokit as lk

rng = np.random.default_rng(0)
n_docs, vocabulary, words_per_doc = 2000, 5000, 60

# Zipf's law: the k-th most common word has frequency proportional to 1/k.
freq = 1.0 / np.arange(1, vocabulary + 1)
freq /= freq.sum()
rows = np.repeat(np.arange(n_docs), words_per_doc)
cols = rng.choice(vocabulary, size=rows.size, p=freq)
counts = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_docs, vocabulary))
counts.sum_duplicates()
X = TfidfTransformer().fit_transform(counts).tocsc()  # still sparse
print(f"X: {X.shape[0]} x {X.shape[1]}, {X.nnz} non-zeros ({X.nnz / np.prod(X.shape):.2%})")

# Ten sentiment words among the moderately common ones drive the score.
sentiment = rng.choice(np.arange(20, 300), size=10, replace=False)
effect = rng.choice([-1.0, 1.0], size=10) * rng.uniform(2.0, 4.0, size=10)
w_true = np.zeros(vocabulary)
w_true[sentiment] = effect
y = X @ w_true + 0.1 * rng.standard_normal(n_docs)

X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Fit on the sparse matrix
# ------------------------
model = lk.Lasso(alpha=2e-4).fit(X_train, y_train)
found = np.flatnonzero(model.coef_)
print(f"non-zero coefficients: {found.size} of {vocabulary}")
print(f"sentiment words found: {np.isin(sentiment, found).sum()} of {sentiment.size}")
print(f"test R^2: {model.score(X_test, y_test):.3f}")

# %%
# Which words carry the signal
# ----------------------------
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
ax.stem(sentiment, effect, linefmt="C1-", markerfmt="C1o", basefmt=" ", label="true effect")
ax.plot(found, model.coef_[found], "C0x", markersize=8, label="Lasso estimate")
ax.set_xlabel("word (rank by frequency)")
ax.set_ylabel("coefficient")
ax.legend()
plt.show()
