"""numeric.threads: the BLAS limit holds inside the block only, and the rule picks one thread for small models."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from numeric.threads import SMALL_PRODUCT, blas_threads, train_threads


def _blas_threads():
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_the_limit_holds_inside_the_block_and_is_undone_after():
    with threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine, whatever the session set
        before = _blas_threads()
        with blas_threads(1):
            assert _blas_threads() == {1}
        assert _blas_threads() == before
        with blas_threads(None):
            assert _blas_threads() == before


@pytest.mark.parametrize("limit", [0, -1, 1.0, True])
def test_a_bad_limit_is_a_one_line_error(limit):
    with pytest.raises(ValueError, match="limit="):
        with blas_threads(limit):
            pass


def test_one_thread_for_the_digits_model_the_librarys_for_the_big_ones():
    digits = [np.zeros((64, 256)), np.zeros(256), np.zeros((256, 10)), np.zeros(10)]
    assert train_threads(digits, 256) == 1
    book = [np.zeros((784, 256)), np.zeros(256), np.zeros((256, 10)), np.zeros(10)]
    assert train_threads(book, 256) == 1
    big = [np.zeros((784, 1024)), np.zeros((1024, 1024)), np.zeros((1024, 10))]
    assert 512 * 1024 * 1024 > SMALL_PRODUCT and train_threads(big, 512) is None
