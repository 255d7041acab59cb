"""ECI and PCI from the leading eigenvectors of the region–industry network (Hidalgo & Hausmann 2009).

With ``M`` the binary presence matrix (regions × industries), ``d = M·1`` diversity and ``u = Mᵀ·1`` ubiquity,
py-ecomplexity takes the eigenvector ``kp`` of ``Mpp = D_u⁻¹ Mᵀ D_d⁻¹ M`` for its second largest eigenvalue
(PCI) and ``kc = D_d⁻¹ M kp`` (ECI), signed so that ECI correlates positively with diversity.

``Mpp`` is similar to the symmetric positive semi-definite ``S = Aᵀ A`` with ``A = D_d^-½ M D_u^-½``
(``Mpp = D_u^-½ S D_u^½``), whose largest eigenvalue is 1 with eigenvector ``√u``. We never form ``Mpp``: the
sparse ``A`` defines ``x ↦ Aᵀ(A x) − 2 v₁(v₁·x)`` (``S`` with its top eigenvalue moved to −1, below every other
eigenvalue of a PSD matrix), whose largest eigenvalue is ``λ₂`` — one eigenpair from ARPACK (``eigsh``, k=1).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigsh

#: below this many industries a dense symmetric solve is used (ARPACK needs a Krylov space larger than k + 1)
DENSE_BELOW = 16


def eci_pci(mcp: sp.csr_matrix, diversity: np.ndarray, ubiquity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw (not standardised) ECI per region and PCI per industry, sign fixed by ``corr(diversity, eci) > 0``.

    Regions with diversity 0 and industries with ubiquity 0 get NaN (they are outside the network). Only the
    direction of the eigenvector is defined; it is returned with unit Euclidean norm.
    """
    n_r, n_p = mcp.shape
    eci = np.full(n_r, np.nan)
    pci = np.full(n_p, np.nan)
    rows = np.flatnonzero(diversity > 0)
    cols = np.flatnonzero(ubiquity > 0)
    if len(rows) < 2 or len(cols) < 2:
        return eci, pci
    m = mcp[rows][:, cols].astype(np.float64)
    d = diversity[rows].astype(np.float64)
    u = ubiquity[cols].astype(np.float64)
    a = sp.diags(1.0 / np.sqrt(d)) @ m @ sp.diags(1.0 / np.sqrt(u))
    a = sp.csr_matrix(a)
    at = sp.csr_matrix(a.T)
    v1 = np.sqrt(u) / np.linalg.norm(np.sqrt(u))
    n = len(cols)
    if n < DENSE_BELOW:
        s = (at @ a).toarray()
        _, vecs = np.linalg.eigh(s - 2.0 * np.outer(v1, v1))
        v = vecs[:, -1]
    else:

        def matvec(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x).ravel()
            return at @ (a @ x) - 2.0 * v1 * (v1 @ x)

        op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
        v0 = np.random.default_rng(0).standard_normal(n)
        _, vecs = eigsh(op, k=1, which="LA", tol=0.0, v0=v0)
        v = vecs[:, 0]
    kp = v / np.sqrt(u)
    kp /= np.linalg.norm(kp)
    kc = (m @ kp) / d
    sign = np.sign(np.corrcoef(d, kc)[0, 1]) if np.std(d) > 0 and np.std(kc) > 0 else 1.0
    eci[rows] = sign * kc
    pci[cols] = sign * kp
    return eci, pci
