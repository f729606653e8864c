"""Problems with known gradients for ``derivations.gradient`` (Matrix Cookbook equation numbers in the ids,
Petersen & Pedersen, version of 2012-11-15), and wrong claimed gradients each must refute.

Each case: ``(id, f, wrt, matrices, known)``, ``known`` the textbook closed form in the same grammar.
"""

from __future__ import annotations

SQ = {"A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "X": ("n", "n")}
RECT = {"X": ("m", "n"), "A": ("p", "m"), "B": ("n", "p"), "a": ("m", 1), "b": ("n", 1), "c": ("m", 1),
        "D": ("m", "m"), "E": ("n", "n")}
VEC = {"x": ("n", 1), "a": ("n", 1), "b": ("n", 1), "A": ("n", "n"), "B": ("m", "n"), "s": ("m", 1)}
LAYER = {"W": ("h", "d"), "x": ("d", 1), "b": ("h", 1), "W2": ("q", "h"), "b2": ("q", 1), "y": ("q", 1),
         "o": ("q", 1), "t": ("q", 1), "g": ("h", 1), "z": ("h", 1), "X": ("n", "d"), "V": ("d", "h"),
         "G": ("n", "h"), "k": ("d", 1), "K": ("n", "d")}
RES = {"W": ("d", "d"), "x": ("d", 1), "y": ("d", 1)}

CASES = [
    ("cookbook-100-trace-X", "trace(X)", "X", SQ, "Identity(n)"),
    ("cookbook-101-trace-XA", "trace(X*A)", "X", SQ, "A.T"),
    ("cookbook-102-trace-AXB", "trace(A*X*B)", "X", RECT, "A.T*B.T"),
    ("cookbook-103-trace-AXTB", "trace(A*X.T*B)", "X", {"X": ("m", "n"), "A": ("p", "n"), "B": ("m", "p")}, "B*A"),
    ("cookbook-106-trace-X2", "trace(X*X)", "X", SQ, "2*X.T"),
    ("cookbook-107-trace-X2B", "trace(X*X*B)", "X", SQ, "(X*B + B*X).T"),
    ("cookbook-108-trace-XTBX", "trace(X.T*B*X)", "X", SQ, "B*X + B.T*X"),
    ("cookbook-111-trace-XXT", "trace(X*X.T)", "X", RECT, "2*X"),
    ("cookbook-113-trace-BXXT", "trace(B.T*X.T*X)", "X", SQ, "X*(B + B.T)"),
    ("cookbook-117-trace-XTBXC", "trace(X.T*B*X*C)", "X", SQ, "B*X*C + B.T*X*C.T"),
    ("cookbook-121-trace-X3", "trace(X*X*X)", "X", SQ, "3*(X*X).T"),
    ("cookbook-124-trace-AXinvB", "trace(A*inv(X)*B)", "X", SQ, "-(inv(X)*B*A*inv(X)).T"),
    ("cookbook-69-aTXb", "a.T*X*b", "X", RECT, "a*b.T"),
    ("cookbook-70-aTXTb", "b.T*X.T*a", "X", RECT, "a*b.T"),
    ("cookbook-72-aTXa-sym", "c.T*D*c", "D", RECT, "c*c.T"),
    ("cookbook-77-bTXTXc", "b.T*X.T*X*b", "X", RECT, "2*X*b*b.T"),
    ("cookbook-79-XTDXE", "b.T*X.T*D*X*b", "X", RECT, "D.T*X*b*b.T + D*X*b*b.T"),
    ("cookbook-81-xTAx", "x.T*A*x", "x", VEC, "(A + A.T)*x"),
    ("cookbook-84-xTa", "x.T*a", "x", VEC, "a"),
    ("cookbook-85-aTx", "a.T*x", "x", VEC, "a"),
    ("cookbook-84-xTx", "x.T*x", "x", VEC, "2*x"),
    ("cookbook-84-norm-Bx-s", "(B*x - s).T*(B*x - s)", "x", VEC, "2*B.T*(B*x - s)"),
    ("cookbook-88-lsq-B", "(B*x - s).T*(B*x - s)", "B", VEC, "2*(B*x - s)*x.T"),
    ("cookbook-49-det", "det(X)", "X", SQ, "det(X)*inv(X).T"),
    ("cookbook-51-det-AXB", "det(A*X*B)", "X", SQ, "det(A*X*B)*inv(X).T"),
    ("cookbook-57-logdet", "log(det(X))", "X", SQ, "inv(X).T"),
    ("cookbook-55-det-XTX", "det(X.T*X)", "X", SQ, "2*det(X.T*X)*inv(X).T"),
    ("cookbook-61-aTinvXb", "a.T*inv(X)*b", "X", {"X": ("n", "n"), "a": ("n", 1), "b": ("n", 1)},
     "-inv(X).T*a*b.T*inv(X).T"),
    ("cookbook-63-trace-inv", "trace(inv(X))", "X", SQ, "-(inv(X)*inv(X)).T"),
    ("hadamard-sum-XoX", "sum(hadamard(X, X))", "X", RECT, "2*X"),
    ("hadamard-sum-XoA", "sum(hadamard(X, D*X))", "X", RECT, "D*X + D.T*X"),
    ("sum-entries", "sum(X)", "X", RECT, "0*X + 1"),
    ("ones-form-1TX1", "sum(A*X)", "X", RECT, "A.T*(0*A*X + 1)"),
    ("sum-exp", "sum(exp(X))", "X", RECT, "exp(X)"),
    ("sum-log", "sum(log(hadamard(X, X) + 1))", "X", RECT, "2*hadamard(X, exp(-log(hadamard(X, X) + 1)))"),
    ("layer-tanh-W", "sum(tanh(W*x + b))", "W", LAYER, "(1 - hadamard(tanh(W*x + b), tanh(W*x + b)))*x.T"),
    ("layer-tanh-b", "sum(tanh(W*x + b))", "b", LAYER, "1 - hadamard(tanh(W*x + b), tanh(W*x + b))"),
    ("layer-sigmoid-x", "g.T*sigmoid(W*x + b)", "x", LAYER,
     "W.T*hadamard(g, hadamard(sigmoid(W*x + b), 1 - sigmoid(W*x + b)))"),
    ("layer-phi-W", "g.T*phi(W*x + b)", "W", LAYER, "hadamard(g, phi_prime(W*x + b))*x.T"),
    ("layer-relu-W", "sum(relu(W*x + b))", "W", LAYER, "Heaviside(W*x + b)*x.T"),
    ("softmax-ce-o", "log(sum(exp(o))) - y.T*o", "o", LAYER, "exp(o)/sum(exp(o)) - y"),
    ("softmax-ce-W2", "log(sum(exp(W2*tanh(W*x)))) - y.T*W2*tanh(W*x)", "W2", LAYER,
     "(exp(W2*tanh(W*x))/sum(exp(W2*tanh(W*x))) - y)*tanh(W*x).T"),
    ("squared-loss-o", "(o - t).T*(o - t)/2", "o", LAYER, "o - t"),
    ("squared-loss-W2", "(W2*phi(z) + b2 - t).T*(W2*phi(z) + b2 - t)/2", "W2", LAYER, "(W2*phi(z) + b2 - t)*phi(z).T"),
    ("l2-penalty", "lam/2*trace(W.T*W)", "W", LAYER, "lam*W"),
    ("l2-penalty-lam", "lam/2*trace(W.T*W)", "lam", LAYER, "trace(W.T*W)/2"),
    ("residual-block", "y.T*(x + tanh(W*x))", "x", RES, "y + W.T*hadamard(y, 1 - hadamard(tanh(W*x), tanh(W*x)))"),
    ("mean-centering", "sum(hadamard(x - sum(x)/d, x - sum(x)/d))", "x", RES, "2*(x - sum(x)/d)"),
    ("attention-score", "log(sum(exp(K*k))) ", "k", LAYER, "K.T*exp(K*k)/sum(exp(K*k))"),
    ("batch-layer-W", "trace(G.T*(X*V))", "V", LAYER, "X.T*G"),
    ("batch-layer-prev", "trace(G.T*(tanh(X)*V))", "X", LAYER, "hadamard(G*V.T, 1 - hadamard(tanh(X), tanh(X)))"),
]

#: Wrong claimed gradients: (id, f, wrt, matrices, wrong) -- each must be refuted.
WRONG = [
    ("transposed-101", "trace(X*A)", "X", SQ, "A"),
    ("missing-factor-2-106", "trace(X*X)", "X", SQ, "X.T"),
    ("one-sided-81", "x.T*A*x", "x", VEC, "2*A*x"),
    ("logdet-no-transpose", "log(det(X))", "X", SQ, "inv(X)"),
    ("inverse-sign-61", "a.T*inv(X)*b", "X", {"X": ("n", "n"), "a": ("n", 1), "b": ("n", 1)},
     "inv(X).T*a*b.T*inv(X).T"),
    ("tanh-not-derivative", "sum(tanh(W*x + b))", "W", LAYER, "tanh(W*x + b)*x.T"),
    ("softmax-missing-normalizer", "log(sum(exp(o))) - y.T*o", "o", LAYER, "exp(o) - y"),
    ("squared-loss-sign", "(o - t).T*(o - t)/2", "o", LAYER, "t - o"),
    ("l2-without-lam", "lam/2*trace(W.T*W)", "W", LAYER, "W"),
    ("residual-no-skip", "y.T*(x + tanh(W*x))", "x", RES, "W.T*hadamard(y, 1 - hadamard(tanh(W*x), tanh(W*x)))"),
    ("sigmoid-wrong-derivative", "g.T*sigmoid(W*x + b)", "x", LAYER, "W.T*hadamard(g, sigmoid(W*x + b))"),
    ("det-missing-det", "det(X)", "X", SQ, "inv(X).T"),
]
