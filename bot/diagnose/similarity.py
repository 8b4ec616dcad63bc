"""How alike two different customer questions are: TF-IDF over character 1-2 grams, cosine.

Whether two messages are the SAME question is bot.textsim's rule, shared with `check` and
`grade`: analysis.py merges the log's messages by `textsim.normalise` (order numbers
dropped) first and vectorises the normalised texts. Not textsim's difflib ratio: grouping
compares every pair of up to 3,000 questions, 0.12 ms a pair by the ratio (9 minutes for
3,000), 7 s vectorised with one sparse product, on the same busy 2-core machine.

Character n-grams need no word segmentation and survive typos ("快弟到哪了"). Settings chosen on
the held-out practice bank (bank/practice.csv): questions of different intents rarely reach
a cosine of 0.3 (99th percentile 0.15), so GROUP_THRESHOLD keeps groups to one meaning; with
the model's ranking (MODEL_WEIGHT), averaging an intent's 3 nearest examples (NEAREST_K)
named the right intent for 81% of the questions the model was unsure of. Word features from
jieba separated intents less well than characters on the same bank.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np

GROUP_THRESHOLD = 0.4   # average cosine similarity for two questions to share a group
NEAREST_K = 3           # nearest examples averaged per intent
MODEL_WEIGHT = 0.35     # share of the model's ranking in a suggestion (the rest: examples)


class Vectoriser:
    """Fitted on the training examples and the questions; rows are L2-normalised."""

    def __init__(self, corpus: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.model = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
        self.model.fit([t for t in corpus if t] or ["空"])

    def transform(self, texts: Sequence[str]):
        if not texts:
            from scipy.sparse import csr_matrix

            return csr_matrix((0, len(self.model.vocabulary_)))
        return self.model.transform(list(texts))


def group(vectors, threshold: float = GROUP_THRESHOLD,
          same_intent: Optional[Sequence[Optional[str]]] = None) -> List[List[int]]:
    """Average-linkage clusters of questions alike by their cosine similarity; two that would
    both be exported under the same intent (`same_intent`) count as at least half alike
    (0.5 + half their cosine), so "满多少包邮啊" and "满几件包邮呀" share a group."""
    if vectors.shape[0] < 2:
        return [[0]] if vectors.shape[0] else []
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    similarity = np.clip((vectors @ vectors.T).toarray(), 0.0, 1.0)
    if same_intent is not None:
        labels = np.array([label or "" for label in same_intent], dtype=object)
        agree = (labels[:, None] == labels[None, :]) & (labels[:, None] != "")
        similarity = np.where(agree, np.maximum(similarity, 0.5 + similarity / 2), similarity)
    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    labels = fcluster(linkage(squareform(distance, checks=False), method="average"),
                      t=1.0 - threshold, criterion="distance")
    clusters: Dict[int, List[int]] = {}
    for index, label in enumerate(labels):
        clusters.setdefault(int(label), []).append(index)
    return list(clusters.values())


def intent_similarity(question_vectors, example_vectors, example_intents: Sequence[str],
                      intents: Sequence[str], k: int = NEAREST_K) -> np.ndarray:
    """For each question and intent: the mean cosine of the intent's k nearest examples
    (an array of questions x intents)."""
    q = question_vectors.shape[0]
    scores = np.zeros((q, len(intents)))
    if q == 0 or example_vectors.shape[0] == 0:
        return scores
    similarity = (question_vectors @ example_vectors.T).toarray()
    labels = np.array(example_intents)
    for j, intent in enumerate(intents):
        columns = similarity[:, labels == intent]
        if columns.shape[1]:
            scores[:, j] = np.sort(columns, axis=1)[:, -k:].mean(axis=1)
    return scores
