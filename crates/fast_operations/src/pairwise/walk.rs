//! The recursion over NumPy's tree, written once and compiled once per instruction set (the
//! `kernels!` macro, instantiated in `baseline`, `avx2`, `avx512` and `neon`): the leaves inline into
//! code compiled for that instruction set's vectors.

/// The largest size up to which every node is a leaf, a twig (`lanes::twig`), or has a leaf
/// or a twig as each child (checked by a test).
pub(super) const BRANCH: usize = 535;

/// Defines, in the module that invokes it, the tree's walk over a slice (`walk_lanes`), over a
/// strided view (`strided_lanes`) and the unordered sum (`unordered`), each generic over the
/// lanes `V` it sums leaves in, and compiled for the instruction set `$feature` (none: the
/// baseline).
///
/// The walk stops recursing at [`BRANCH`] values, a node of one or two small nodes (a leaf or
/// a twig each): a call per leaf costs much of the time when the leaves stream from the cache
/// at several values a cycle. Where the code of those nodes goes is the invoker's choice
/// (`$branch_inline`, `$node_inline`), because the CPUs measured disagree: inlined, the nodes
/// save a call each but grow the walk's code, and inlined into the recursion itself they make
/// every call of it save and restore the registers they use (docs/measurements/section-1.md).
macro_rules! kernels {
    ($branch_inline:meta, $node_inline:meta $(, $feature:literal)?) => {
        /// The tree's walks compiled for this instruction set, in a module of their own so
        /// that their imports stay out of the invoking module.
        pub(super) mod compiled {
            use $crate::pairwise::Value;
            use $crate::pairwise::lanes::{Lanes8, TWIG, join, twig};
            use $crate::pairwise::strided::{Strided, strided_leaf, strided_leaf_pair};
            use $crate::pairwise::tree::{LEAF, Parity, split};
            use $crate::pairwise::walk::BRANCH;

            /// The subtree `a`, its leaves summed in the lanes of `V`.
            ///
            /// # Safety
            /// The caller guarantees `a.len() >= 8`, a CPU with this kernel's instructions, and
            /// `V` one of this kernel's lane types, with whatever `V`'s leaves require of `a`.
            $(#[target_feature(enable = $feature)])?
            pub(in crate::pairwise) unsafe fn walk_lanes<V: Lanes8, P: Parity, T: Value>(
                a: &[T],
            ) -> f64 {
                let n = a.len();
                // SAFETY: a has at least 8 values (the caller), and so has each child of a node
                // of more than BRANCH values: every subtree passed on has at least 8. Each part
                // starts a multiple of 8 values after a, so at the same place in its cache line.
                unsafe {
                    if n <= BRANCH {
                        branch::<V, P, T>(a)
                    } else {
                        let (left, right) = a.split_at(split(n));
                        let left = walk_lanes::<V, P::Child, T>(left);
                        join::<V, P>(left, walk_lanes::<V, P::Child, T>(right))
                    }
                }
            }

            /// A node of 8 to [`BRANCH`] values: one small node, or two.
            ///
            /// # Safety
            /// As the walk's, with `8 <= a.len() <= BRANCH`.
            #[$branch_inline]
            $(#[target_feature(enable = $feature)])?
            unsafe fn branch<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
                let n = a.len();
                // SAFETY: as the walk's; every node passed on has 8 to TWIG values (a node of
                // TWIG + 1 to BRANCH values has two such children: BRANCH's definition).
                unsafe {
                    if n <= TWIG {
                        node::<V, P, T>(a)
                    } else {
                        let (left, right) = a.split_at(split(n));
                        let left = node::<V, P::Child, T>(left);
                        join::<V, P>(left, node::<V, P::Child, T>(right))
                    }
                }
            }

            /// A node of 8 to [`TWIG`] values: a leaf or a [`twig`].
            ///
            /// # Safety
            /// As the walk's, with `8 <= a.len() <= TWIG`.
            #[$node_inline]
            $(#[target_feature(enable = $feature)])?
            unsafe fn node<V: Lanes8, P: Parity, T: Value>(a: &[T]) -> f64 {
                debug_assert!(8 <= a.len() && a.len() <= TWIG);
                // SAFETY: this function is compiled for the lanes' instructions and is only
                // called once the CPU is known to have them (the dispatch); a leaf has 8
                // to LEAF values, a twig LEAF + 1 to TWIG, as the caller guarantees.
                unsafe {
                    if a.len() <= LEAF {
                        V::sum_leaf::<P, T>(a)
                    } else {
                        twig::<V, P, T>(a)
                    }
                }
            }

            $(#[target_feature(enable = $feature)])?
            pub(in crate::pairwise) fn unordered<const AHEAD: usize>(a: &[f64]) -> f64 {
                $crate::pairwise::unordered::unordered::<AHEAD>(a)
            }

            /// The tree over a strided view, its leaves gathered into the lanes of `V`.
            ///
            /// # Safety
            /// The caller guarantees a CPU with this kernel's instructions, and `V` one of this
            /// kernel's lane types.
            $(#[target_feature(enable = $feature)])?
            pub(in crate::pairwise) unsafe fn strided_lanes<V: Lanes8, P: Parity, T: Value>(
                view: Strided<'_, T>,
            ) -> f64 {
                // SAFETY: forwarded from the caller (the CPU, the lanes).
                unsafe {
                    if view.len <= LEAF {
                        strided_leaf::<V, P, T>(view)
                    } else if view.len - split(view.len) <= LEAF {
                        let (left, right) = view.split_at(split(view.len));
                        let (left, right) = strided_leaf_pair::<V, P::Child, T>(left, right);
                        join::<V, P>(left, right)
                    } else {
                        let (left, right) = view.split_at(split(view.len));
                        let left = strided_lanes::<V, P::Child, T>(left);
                        join::<V, P>(left, strided_lanes::<V, P::Child, T>(right))
                    }
                }
            }
        }
    };
}

pub(super) use kernels;

#[cfg(test)]
mod tests {
    use super::BRANCH;
    use crate::pairwise::lanes::TWIG;
    use crate::pairwise::tree::{LEAF, split};

    fn is_leaf(n: usize) -> bool {
        (8..=LEAF).contains(&n)
    }

    fn is_twig(n: usize) -> bool {
        let (left, right) = (split(n), n - split(n));
        n > LEAF
            && is_leaf(left)
            && (is_leaf(right) || (is_leaf(split(right)) && is_leaf(right - split(right))))
    }

    #[test]
    fn twig_and_branch_bounds_hold_for_every_size() {
        for n in LEAF + 1..=TWIG {
            assert!(is_twig(n), "{n} is not a twig");
        }
        assert!(!is_twig(TWIG + 1), "TWIG could be larger");
        let part = |n| is_leaf(n) || is_twig(n);
        let is_branch = |n| part(n) || (part(split(n)) && part(n - split(n)));
        for n in 8..=BRANCH {
            assert!(is_branch(n), "{n} is not a branch");
        }
        assert!(!is_branch(BRANCH + 1), "BRANCH could be larger");
    }
}
