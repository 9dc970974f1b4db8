//! Pure checks of Brazilian tax numbers (CPF, CNPJ) and Pix keys, shared by the SDK and the
//! emulator. The models keep these values as plain strings, as the API writes them; these
//! helpers only say whether a value is well formed.

/// The characters of a CPF or CNPJ once the usual punctuation (`.`, `-`, `/`) is removed, or
/// `None` if anything else but ASCII letters and digits is in it.
fn strip_punctuation(raw: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    for b in raw.trim().bytes() {
        match b {
            b'.' | b'-' | b'/' => {}
            b'0'..=b'9' | b'A'..=b'Z' => out.push(b),
            _ => return None,
        }
    }
    Some(out)
}

/// Whether every character is the same one (`111.111.111-11`): such numbers pass the check
/// digits but are never issued.
fn all_same(chars: &[u8]) -> bool {
    chars.windows(2).all(|w| w[0] == w[1])
}

/// Whether `raw` is a valid CPF: 11 digits, bare (`52998224725`) or formatted
/// (`529.982.247-25`), whose two check digits match and which is not one digit repeated.
pub fn is_valid_cpf(raw: &str) -> bool {
    let Some(chars) = strip_punctuation(raw) else {
        return false;
    };
    if chars.len() != 11 || !chars.iter().all(u8::is_ascii_digit) || all_same(&chars) {
        return false;
    }
    let digits: Vec<u32> = chars.iter().map(|b| u32::from(b - b'0')).collect();
    // The check digit over the first `n` digits, with weights n+1 down to 2.
    let check = |n: usize| {
        let sum: u32 = digits[..n]
            .iter()
            .enumerate()
            .map(|(i, d)| d * (n as u32 + 1 - i as u32))
            .sum();
        let r = (sum * 10) % 11;
        if r == 10 { 0 } else { r }
    };
    check(9) == digits[9] && check(10) == digits[10]
}

/// Whether `raw` is a valid CNPJ: 14 characters, bare (`11222333000181`) or formatted
/// (`11.222.333/0001-81`), whose two check digits match and which is not one character
/// repeated.
///
/// The first 12 characters may also be upper-case letters: the Receita Federal issues
/// alphanumeric CNPJs (`12.ABC.345/01DE-35`) from July 2026, checked with the same weights
/// and each character worth its ASCII code minus 48. The two check digits are always digits.
pub fn is_valid_cnpj(raw: &str) -> bool {
    let Some(chars) = strip_punctuation(raw) else {
        return false;
    };
    if chars.len() != 14 || !chars[12..].iter().all(u8::is_ascii_digit) || all_same(&chars) {
        return false;
    }
    let values: Vec<u32> = chars.iter().map(|b| u32::from(b - b'0')).collect();
    // The check digit over the first `n` characters, weights 2..=9 from the right, repeating.
    let check = |n: usize| {
        let sum: u32 = values[..n]
            .iter()
            .rev()
            .enumerate()
            .map(|(i, v)| v * (2 + (i as u32 % 8)))
            .sum();
        let r = sum % 11;
        if r < 2 { 0 } else { 11 - r }
    };
    check(12) == values[12] && check(13) == values[13]
}

/// Whether `raw` is a valid CPF or a valid CNPJ (a recipient's or a customer's `taxNumber`).
pub fn is_valid_tax_number(raw: &str) -> bool {
    is_valid_cpf(raw) || is_valid_cnpj(raw)
}

/// The kind of a Pix key, as the Central Bank's key directory (DICT) writes keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PixKeyKind {
    /// A CPF, 11 digits without punctuation.
    Cpf,
    /// A CNPJ, 14 characters without punctuation.
    Cnpj,
    /// An e-mail address (at most 77 characters).
    Email,
    /// A Brazilian phone number in E.164 form (`+5511987654321`).
    Phone,
    /// A random key (EVP): a UUID in lower-case hex (`123e4567-e89b-12d3-a456-426614174000`).
    Random,
}

/// The kind of a well-formed Pix key, or `None` when `key` is none of the five forms.
///
/// Keys are taken as the directory writes them: tax numbers without punctuation and with
/// valid check digits, phones with `+` and the country code, e-mails without spaces, random
/// keys as a hyphenated UUID. Eleven bare digits are a CPF, never a phone.
pub fn pix_key_kind(key: &str) -> Option<PixKeyKind> {
    let bytes = key.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        return match bytes.len() {
            11 if is_valid_cpf(key) => Some(PixKeyKind::Cpf),
            14 if is_valid_cnpj(key) => Some(PixKeyKind::Cnpj),
            _ => None,
        };
    }
    if bytes.len() == 14
        && bytes
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && is_valid_cnpj(key)
    {
        return Some(PixKeyKind::Cnpj);
    }
    if let Some(rest) = key.strip_prefix('+') {
        // Pix phone keys are Brazilian: +55, a two-digit area code and an 8- or 9-digit number.
        let ok = rest.strip_prefix("55").is_some_and(|national| {
            (10..=11).contains(&national.len()) && national.bytes().all(|b| b.is_ascii_digit())
        });
        return ok.then_some(PixKeyKind::Phone);
    }
    if is_random_key(bytes) {
        return Some(PixKeyKind::Random);
    }
    if is_email(key) {
        return Some(PixKeyKind::Email);
    }
    None
}

/// Whether `key` is a well-formed Pix key of any kind (see [`pix_key_kind`]).
pub fn is_valid_pix_key(key: &str) -> bool {
    pix_key_kind(key).is_some()
}

fn is_random_key(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

fn is_email(key: &str) -> bool {
    if key.len() > 77 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let mut parts = key.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_check_digits() {
        assert!(is_valid_cpf("52998224725"));
        assert!(is_valid_cpf("529.982.247-25"));
        assert!(is_valid_cpf("111.444.777-35"));
        assert!(!is_valid_cpf("52998224724"), "second check digit");
        assert!(!is_valid_cpf("52998224735"), "first check digit");
        assert!(!is_valid_cpf("11111111111"), "one digit repeated");
        assert!(!is_valid_cpf("000.000.000-00"));
        assert!(!is_valid_cpf("5299822472"), "too short");
        assert!(!is_valid_cpf("529982247250"), "too long");
        assert!(!is_valid_cpf("529 982 247 25"), "spaces inside");
        assert!(!is_valid_cpf(""));
        assert!(!is_valid_cpf("11222333000181"), "a CNPJ");
    }

    #[test]
    fn cnpj_check_digits() {
        assert!(is_valid_cnpj("11222333000181"));
        assert!(is_valid_cnpj("11.222.333/0001-81"));
        assert!(is_valid_cnpj("00000000000191"));
        assert!(!is_valid_cnpj("11222333000182"));
        assert!(!is_valid_cnpj("11222333000171"));
        assert!(!is_valid_cnpj("11111111111111"));
        assert!(!is_valid_cnpj("1122233300018"));
        assert!(!is_valid_cnpj("52998224725"), "a CPF");
        // The Receita Federal's example of an alphanumeric CNPJ.
        assert!(is_valid_cnpj("12ABC34501DE35"));
        assert!(is_valid_cnpj("12.ABC.345/01DE-35"));
        assert!(!is_valid_cnpj("12ABC34501DE36"));
        assert!(!is_valid_cnpj("12abc34501de35"), "letters are upper case");
        assert!(!is_valid_cnpj("12ABC34501DE3A"), "check digits are digits");
    }

    #[test]
    fn pix_keys() {
        assert_eq!(pix_key_kind("52998224725"), Some(PixKeyKind::Cpf));
        assert_eq!(pix_key_kind("11222333000181"), Some(PixKeyKind::Cnpj));
        assert_eq!(pix_key_kind("+5511987654321"), Some(PixKeyKind::Phone));
        assert_eq!(pix_key_kind("+551133334444"), Some(PixKeyKind::Phone));
        for not_a_pix_phone in [
            "+14155550100",
            "+55119876543210",
            "+55 11 98765-4321",
            "+55",
        ] {
            assert_eq!(pix_key_kind(not_a_pix_phone), None, "{not_a_pix_phone}");
        }
        assert_eq!(
            pix_key_kind("pagamentos@example.com.br"),
            Some(PixKeyKind::Email)
        );
        assert_eq!(
            pix_key_kind("123e4567-e89b-12d3-a456-426614174000"),
            Some(PixKeyKind::Random)
        );
        for bad in [
            "",
            "529.982.247-25",
            "52998224724",
            "11987654321x",
            "+",
            "+0123",
            "not a key",
            "a@b",
            "@example.com",
            "123E4567-E89B-12D3-A456-426614174000",
        ] {
            assert_eq!(pix_key_kind(bad), None, "{bad:?}");
            assert!(!is_valid_pix_key(bad));
        }
    }

    #[test]
    fn tax_numbers() {
        assert!(is_valid_tax_number("529.982.247-25"));
        assert!(is_valid_tax_number("11.222.333/0001-81"));
        assert!(!is_valid_tax_number("123.456.789-00"));
    }
}
