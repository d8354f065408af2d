//! What `f64` lacks without std (`floor`, `ceil`, `round` live in std, not
//! `core`), for the values the core rounds: all well inside `i64`'s range.
//! Outside it, `as` saturates, which every caller treats as out of range.

/// Rounds towards negative infinity.
pub(crate) fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// Rounds towards positive infinity.
pub(crate) fn ceil(x: f64) -> f64 {
    -floor(-x)
}

/// Rounds half away from zero (as `f64::round`).
pub(crate) fn round(x: f64) -> f64 {
    let t = x as i64 as f64;
    let rest = x - t;
    if rest >= 0.5 {
        t + 1.0
    } else if rest <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_std() {
        for x in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.4999,
            -2.4999,
            1e12 + 0.7,
            -1e12 - 0.7,
            3.0,
            -3.0,
            0.49999999999999994,
        ] {
            assert_eq!(floor(x), x.floor(), "floor {x}");
            assert_eq!(ceil(x), x.ceil(), "ceil {x}");
            assert_eq!(round(x), x.round(), "round {x}");
        }
    }
}
