//! File formats of fzc: everything that touches a path lives here.
//!
//! (Crate essay and doctest: written with the readers, see issue 2.)

mod atomic;

pub use atomic::write_atomically;
