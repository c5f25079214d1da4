//! Terraform numbers: arbitrary-precision decimals.
//!
//! Terraform keeps numbers as 512-bit binary floats and writes them as exact integers, exact
//! float64s, or decimal text. A [`Number`] keeps the exact decimal value of whatever it was built
//! from (a float64 keeps its exact binary value, written out in decimal), so a number decoded
//! from Terraform is encoded back the same way.
//!
//! Representation: integers that fit `i64` are stored inline (no allocation); everything else is
//! a normalized decimal `±digits × 10^exponent` (no leading or trailing zero digits). Both forms
//! are canonical, so the derived structural equality and hash are numeric equality: `1 == 1.0`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Largest decimal exponent magnitude accepted (`1e100000`), so that the plain decimal text of
/// any accepted number stays bounded (~100 kB) and comparisons stay cheap.
pub(crate) const MAX_EXPONENT: i64 = 100_000;

/// An arbitrary-precision decimal number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Exactly this integer.
    Int(i64),
    /// `(-1)^negative × digits × 10^exponent`; `digits` are ASCII, non-empty, with no leading or
    /// trailing `0`; never an integer within `i64` range.
    Dec(Box<Decimal>),
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Decimal {
    negative: bool,
    digits: Box<[u8]>,
    exponent: i64,
}

/// Why text is not a number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseNumberError {
    #[error("not a decimal number")]
    Syntax,
    #[error("number exponent out of range (|e| > {MAX_EXPONENT})")]
    OutOfRange,
}

/// A non-finite float (NaN or ±infinity) has no Number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("number is not finite")]
pub struct NonFiniteError;

/// Borrowed sign/digits/exponent view used for comparison and formatting.
struct View<'a> {
    negative: bool,
    /// No leading or trailing zeros; empty for zero.
    digits: &'a [u8],
    exponent: i64,
}

impl View<'_> {
    /// Decimal exponent of the leading digit (`d.ddd × 10^adjusted`).
    fn adjusted(&self) -> i64 {
        // digits.len() is bounded by memory, far below i64::MAX.
        self.exponent + self.digits.len() as i64 - 1
    }
}

/// Writes the decimal digits of `|i|` into `buf`, returns the used tail, trailing zeros removed,
/// and the number of zeros removed.
fn int_digits(i: i64, buf: &mut [u8; 20]) -> (&[u8], i64) {
    let mut n = i.unsigned_abs();
    if n == 0 {
        return (&buf[20..], 0);
    }
    let mut zeros = 0i64;
    while n.is_multiple_of(10) {
        n /= 10;
        zeros += 1;
    }
    let mut pos = 20;
    while n > 0 {
        pos -= 1;
        // n % 10 < 10, so the cast is lossless.
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    (&buf[pos..], zeros)
}

impl Number {
    pub const ZERO: Number = Number(Repr::Int(0));

    fn with_view<R>(&self, f: impl FnOnce(View<'_>) -> R) -> R {
        match &self.0 {
            Repr::Int(i) => {
                let mut buf = [0u8; 20];
                let (digits, exponent) = int_digits(*i, &mut buf);
                f(View {
                    negative: *i < 0,
                    digits,
                    exponent,
                })
            }
            Repr::Dec(d) => f(View {
                negative: d.negative,
                digits: &d.digits,
                exponent: d.exponent,
            }),
        }
    }

    /// Builds the canonical number from sign, digits (ASCII, any leading/trailing zeros) and
    /// the exponent of the last digit.
    fn from_parts(
        negative: bool,
        digits: &[u8],
        exponent: i64,
    ) -> Result<Number, ParseNumberError> {
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Ok(Number::ZERO);
        };
        let last = digits
            .iter()
            .rposition(|&d| d != b'0')
            .map_or(digits.len(), |p| p + 1);
        let trailing =
            i64::try_from(digits.len() - last).map_err(|_| ParseNumberError::OutOfRange)?;
        Number::from_normalized(
            negative,
            &digits[first..last],
            exponent.saturating_add(trailing),
        )
    }

    /// `digits` has no leading or trailing zeros and is non-empty; `exponent` applies to the
    /// last digit of the original (trailing zeros already accounted for by the caller).
    fn from_normalized(
        negative: bool,
        digits: &[u8],
        exponent: i64,
    ) -> Result<Number, ParseNumberError> {
        let len = i64::try_from(digits.len()).map_err(|_| ParseNumberError::OutOfRange)?;
        if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exponent)
            || !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&(exponent + len - 1))
        {
            return Err(ParseNumberError::OutOfRange);
        }
        if exponent >= 0 && len + exponent <= 19 {
            // At most 19 digits: fits u64; check the i64 range with the sign.
            let mut mag: u64 = 0;
            for &d in digits {
                mag = mag * 10 + u64::from(d - b'0');
            }
            for _ in 0..exponent {
                mag *= 10;
            }
            let int = if negative {
                0i64.checked_sub_unsigned(mag)
            } else {
                i64::try_from(mag).ok()
            };
            if let Some(i) = int {
                return Ok(Number(Repr::Int(i)));
            }
        }
        Ok(Number(Repr::Dec(Box::new(Decimal {
            negative,
            digits: digits.into(),
            exponent,
        }))))
    }

    /// The exact value, if it is an integer within `i64`.
    pub fn to_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            Repr::Dec(_) => None,
        }
    }

    /// The exact value, if it is an integer within `u64`.
    pub fn to_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Int(i) => u64::try_from(*i).ok(),
            Repr::Dec(d) => {
                if d.negative || d.exponent < 0 {
                    return None;
                }
                let mut mag: u64 = 0;
                for &c in d.digits.iter() {
                    mag = mag.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                }
                for _ in 0..d.exponent {
                    mag = mag.checked_mul(10)?;
                }
                Some(mag)
            }
        }
    }

    /// The nearest float64 (correctly rounded; ±infinity beyond the float64 range).
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            // i64 → f64 rounds to nearest, as the decimal path would.
            Repr::Int(i) => *i as f64,
            Repr::Dec(d) => {
                let mut s = String::with_capacity(d.digits.len() + 24);
                if d.negative {
                    s.push('-');
                }
                // digits are ASCII by construction.
                s.extend(d.digits.iter().map(|&c| char::from(c)));
                s.push('e');
                s.push_str(&d.exponent.to_string());
                s.parse::<f64>().unwrap_or(f64::NAN)
            }
        }
    }

    /// The float64 with exactly this value, if there is one.
    pub fn to_f64_exact(&self) -> Option<f64> {
        match &self.0 {
            Repr::Int(i) => {
                let f = *i as f64;
                // i64::MAX as f64 is 2^63, out of range for the check below; compare via i128.
                (f.is_finite() && (f as i128) == i128::from(*i)).then_some(f)
            }
            Repr::Dec(d) => {
                // A fraction D × 10^-k (D not a multiple of 10) is a dyadic rational only if
                // 5^k divides D, so D must end in 5. Float64s have at most 767 significant digits.
                if (d.exponent < 0 && d.digits.last() != Some(&b'5')) || d.digits.len() > 767 {
                    return None;
                }
                let f = self.to_f64();
                if !f.is_finite() {
                    return None;
                }
                (Number::try_from(f).ok().as_ref() == Some(self)).then_some(f)
            }
        }
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int(_) => true,
            Repr::Dec(d) => d.exponent >= 0,
        }
    }

    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Int(i) => *i < 0,
            Repr::Dec(d) => d.negative,
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Int(0))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number(Repr::Int(i))
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Number {
        Number(Repr::Int(i64::from(i)))
    }
}

impl From<u32> for Number {
    fn from(i: u32) -> Number {
        Number(Repr::Int(i64::from(i)))
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Number {
        match i64::try_from(u) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => {
                let mut buf = [0u8; 20];
                let mut n = u;
                let mut pos = 20;
                while n > 0 {
                    pos -= 1;
                    // n % 10 < 10: lossless.
                    buf[pos] = b'0' + (n % 10) as u8;
                    n /= 10;
                }
                // u > i64::MAX: well within the exponent range, so this cannot fail; fall back
                // to zero only to avoid a panic path.
                Number::from_parts(false, &buf[pos..], 0).unwrap_or(Number::ZERO)
            }
        }
    }
}

impl TryFrom<f64> for Number {
    type Error = NonFiniteError;

    /// The exact value of the float (0.1f64 is 0.1000000000000000055511151231257827…).
    fn try_from(f: f64) -> Result<Number, NonFiniteError> {
        if !f.is_finite() {
            return Err(NonFiniteError);
        }
        if f == f.trunc() && f.abs() < 9.2e18 {
            // Whole and within i64: the cast is exact.
            return Ok(Number(Repr::Int(f as i64)));
        }
        // f = m × 2^e with m odd. For e < 0 the exact decimal has about
        // log10(m) + (-e)·log10(5) significant digits; Rust's `{:e}` with that precision prints
        // exact digits (the remaining ones are zeros and get stripped).
        let bits = f.to_bits();
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let mant = bits & ((1u64 << 52) - 1);
        let (mut m, mut e) = if exp_bits == 0 {
            (mant, -1074)
        } else {
            (mant | (1u64 << 52), exp_bits - 1075)
        };
        while m != 0 && m.is_multiple_of(2) {
            m /= 2;
            e += 1;
        }
        let m_digits = (m as f64).log10().floor() as i64 + 1;
        let sig = if e < 0 {
            m_digits
                + ((-e) as f64 * std::f64::consts::LOG10_2.mul_add(-1.0, 1.0)).ceil() as i64
                + 1
        } else {
            m_digits + (e as f64 * std::f64::consts::LOG10_2).ceil() as i64 + 1
        };
        let prec = usize::try_from(sig.clamp(1, 800)).unwrap_or(800);
        let text = format!("{f:.prec$e}");
        text.parse::<Number>().map_err(|_| NonFiniteError)
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;

    /// Decimal text: `[+-]digits[.digits][(e|E)[+-]digits]`, also `.5` and `5.`.
    fn from_str(s: &str) -> Result<Number, ParseNumberError> {
        let b = s.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c) = b.first()
            && (c == b'+' || c == b'-')
        {
            negative = c == b'-';
            i = 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &b[int_start..i];
        let mut frac_part: &[u8] = &[];
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &b[fs..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(ParseNumberError::Syntax);
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut exp_neg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                exp_neg = b[i] == b'-';
                i += 1;
            }
            let es = i;
            while i < b.len() && b[i].is_ascii_digit() {
                // Saturate: anything this large is out of range anyway.
                exp = exp
                    .saturating_mul(10)
                    .saturating_add(i64::from(b[i] - b'0'));
                i += 1;
            }
            if es == i {
                return Err(ParseNumberError::Syntax);
            }
            if exp_neg {
                exp = -exp;
            }
        }
        if i != b.len() {
            return Err(ParseNumberError::Syntax);
        }
        // Significant digits: int_part followed by frac_part; exponent of the last digit.
        let frac_len = i64::try_from(frac_part.len()).map_err(|_| ParseNumberError::OutOfRange)?;
        let mut digits: Vec<u8> = Vec::with_capacity(int_part.len() + frac_part.len());
        digits.extend_from_slice(int_part);
        digits.extend_from_slice(frac_part);
        Number::from_parts(negative, &digits, exp.saturating_sub(frac_len))
    }
}

impl fmt::Display for Number {
    /// Plain decimal text, never an exponent: `12`, `-0.5`, `100000000000000000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Dec(d) => {
                let mut s = String::with_capacity(d.digits.len() + 8);
                if d.negative {
                    s.push('-');
                }
                let digits = || d.digits.iter().map(|&c| char::from(c));
                let len = i64::try_from(d.digits.len()).unwrap_or(i64::MAX);
                if d.exponent >= 0 {
                    s.extend(digits());
                    // exponent ≤ MAX_EXPONENT by construction.
                    s.extend(std::iter::repeat_n(
                        '0',
                        usize::try_from(d.exponent).unwrap_or(0),
                    ));
                } else if -d.exponent >= len {
                    s.push_str("0.");
                    let zeros = usize::try_from(-d.exponent - len).unwrap_or(0);
                    s.extend(std::iter::repeat_n('0', zeros));
                    s.extend(digits());
                } else {
                    let int_len = usize::try_from(len + d.exponent).unwrap_or(0);
                    s.extend(d.digits[..int_len].iter().map(|&c| char::from(c)));
                    s.push('.');
                    s.extend(d.digits[int_len..].iter().map(|&c| char::from(c)));
                }
                f.write_str(&s)
            }
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        if let (Repr::Int(a), Repr::Int(b)) = (&self.0, &other.0) {
            return a.cmp(b);
        }
        self.with_view(|a| other.with_view(|b| cmp_views(&a, &b)))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn cmp_views(a: &View<'_>, b: &View<'_>) -> Ordering {
    let sign = |v: &View<'_>| {
        if v.digits.is_empty() {
            0
        } else if v.negative {
            -1
        } else {
            1
        }
    };
    let (sa, sb) = (sign(a), sign(b));
    if sa != sb || sa == 0 {
        return sa.cmp(&sb);
    }
    let magnitude = a
        .adjusted()
        .cmp(&b.adjusted())
        // Same leading-digit position: digit strings compare lexicographically, a missing digit
        // counting as zero (no trailing zeros, so the shorter is smaller when it is a prefix).
        .then_with(|| a.digits.cmp(b.digits));
    if sa < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_display() {
        for (text, shown) in [
            ("0", "0"),
            ("-0", "0"),
            ("0.000", "0"),
            ("1", "1"),
            ("1.0", "1"),
            ("+1.50", "1.5"),
            ("-12.5e1", "-125"),
            ("1e3", "1000"),
            ("1E+3", "1000"),
            (".5", "0.5"),
            ("5.", "5"),
            ("0.001", "0.001"),
            ("123.456", "123.456"),
            ("1e-5", "0.00001"),
            ("9223372036854775807", "9223372036854775807"),
            ("9223372036854775808", "9223372036854775808"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("-9223372036854775809", "-9223372036854775809"),
            ("1e20", "100000000000000000000"),
            ("00012300", "12300"),
            (
                "3.14159265358979323846264338327950288",
                "3.14159265358979323846264338327950288",
            ),
        ] {
            assert_eq!(n(text).to_string(), shown, "{text}");
        }
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "inf", "NaN", "1 ", " 1", "1_0",
        ] {
            assert_eq!(
                bad.parse::<Number>(),
                Err(ParseNumberError::Syntax),
                "{bad:?}"
            );
        }
        assert_eq!(
            "1e100001".parse::<Number>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert_eq!(
            "1e-100001".parse::<Number>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert_eq!(
            "1e99999999999999999999999".parse::<Number>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert_eq!(
            "0e99999999999999999999999".parse::<Number>(),
            Ok(Number::ZERO)
        );
    }

    #[test]
    fn equality_is_numeric() {
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(Number::from(1i64), n("1.000"));
        assert_eq!(Number::try_from(1.0f64).unwrap(), Number::from(1i64));
        assert_eq!(Number::from(u64::MAX), n("18446744073709551615"));
        assert_eq!(n("100"), n("1e2"));
        assert_ne!(n("1"), n("1.0000000000000000000001"));
    }

    #[test]
    fn ordering() {
        let ordered = [
            "-1e30",
            "-12",
            "-1.5",
            "-1",
            "-0.001",
            "0",
            "0.0001",
            "0.001",
            "0.0011",
            "1",
            "1.5",
            "9223372036854775807",
            "9223372036854775808",
            "1e30",
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(n(a).cmp(&n(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert!(n("1") < n("1.0000001"));
        assert!(n("10") > n("9.99999"));
    }

    #[test]
    fn conversions() {
        assert_eq!(n("42").to_i64(), Some(42));
        assert_eq!(n("42.5").to_i64(), None);
        assert_eq!(n("9223372036854775808").to_i64(), None);
        assert_eq!(
            n("9223372036854775808").to_u64(),
            Some(9_223_372_036_854_775_808)
        );
        assert_eq!(n("1.5").to_f64(), 1.5);
        assert_eq!(n("0.1").to_f64(), 0.1);
        assert_eq!(n("1.5").to_f64_exact(), Some(1.5));
        assert_eq!(n("0.1").to_f64_exact(), None);
        assert_eq!(n("9007199254740993").to_f64_exact(), None);
        assert_eq!(
            n("18446744073709551616").to_f64_exact(),
            Some(18446744073709551616.0)
        );
        assert_eq!(Number::from(i64::MAX).to_f64_exact(), None);
        assert_eq!(
            Number::from(i64::MIN).to_f64_exact(),
            Some(-9223372036854775808.0)
        );
        assert_eq!(
            Number::try_from(0.1f64).unwrap().to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(Number::try_from(1e300).unwrap().to_f64_exact(), Some(1e300));
        assert_eq!(Number::try_from(-2.5e-3).unwrap().to_f64(), -2.5e-3);
        let tiny = f64::from_bits(1);
        assert_eq!(Number::try_from(tiny).unwrap().to_f64_exact(), Some(tiny));
        assert_eq!(
            Number::try_from(f64::MAX).unwrap().to_f64_exact(),
            Some(f64::MAX)
        );
        assert!(Number::try_from(f64::NAN).is_err());
        assert!(Number::try_from(f64::INFINITY).is_err());
    }

    proptest::proptest! {
        #![proptest_config(crate::value::msgpack::tests::cases(2000))]

        #[test]
        fn order_is_total_and_numeric(
            a in crate::value::msgpack::tests::arb_number(),
            b in crate::value::msgpack::tests::arb_number(),
        ) {
            use std::cmp::Ordering;
            let ord = a.cmp(&b);
            proptest::prop_assert_eq!(ord, b.cmp(&a).reverse());
            proptest::prop_assert_eq!(ord == Ordering::Equal, a == b);
            let (fa, fb) = (a.to_f64(), b.to_f64());
            if fa < fb {
                proptest::prop_assert_eq!(ord, Ordering::Less);
            } else if fa > fb {
                proptest::prop_assert_eq!(ord, Ordering::Greater);
            }
            // Text round trip keeps both value and order.
            let a2: Number = a.to_string().parse().unwrap();
            proptest::prop_assert_eq!(a2.cmp(&b), ord);
        }
    }
}
