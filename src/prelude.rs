//! What std's prelude gives every module, for the `no_std` build: each
//! module of the core starts with `use crate::prelude::*;`.

#[allow(unused_imports)]
pub(crate) use alloc::{
    borrow::ToOwned,
    boxed::Box,
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
