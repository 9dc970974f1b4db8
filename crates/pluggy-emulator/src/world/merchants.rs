//! The merchant base that `GET /merchants` searches and transactions name as their `merchant`,
//! and the CNPJ rules (14 digits, two check digits).

use std::sync::OnceLock;

/// A merchant of the base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MerchantRec {
    pub(crate) cnpj: String,
    pub(crate) name: &'static str,
    pub(crate) business_name: &'static str,
    pub(crate) cnae: &'static str,
    /// The id of its category in [`crate::world::categories::TREE`].
    pub(crate) category_id: &'static str,
}

/// The base: the first 12 digits of each CNPJ (the check digits are computed), names, CNAE
/// activity and category.
const BASE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "000000000001",
        "Banco do Brasil",
        "BANCO DO BRASIL SA",
        "6422100",
        "16000000",
    ),
    (
        "123456780001",
        "Bom Preço",
        "SUPERMERCADO BOM PRECO LTDA",
        "4711302",
        "10000000",
    ),
    (
        "234567810001",
        "Posto Estrada",
        "AUTO POSTO ESTRADA LTDA",
        "4731800",
        "19050001",
    ),
    (
        "345678120001",
        "Farmácia Saúde",
        "FARMACIA SAUDE COMERCIO DE MEDICAMENTOS LTDA",
        "4771701",
        "18020000",
    ),
    (
        "456781230001",
        "Restaurante Sabor",
        "SABOR RESTAURANTE E LANCHONETE LTDA",
        "5611201",
        "11010000",
    ),
    (
        "567812340001",
        "Streaming Mensal",
        "STREAMING MENSAL SERVICOS DIGITAIS LTDA",
        "6319400",
        "09020000",
    ),
    (
        "678123450001",
        "Energia Paulista",
        "COMPANHIA ENERGETICA PAULISTA SA",
        "3514000",
        "17020002",
    ),
    (
        "781234560001",
        "Transporte App",
        "TRANSPORTE APP TECNOLOGIA LTDA",
        "4923002",
        "19010000",
    ),
    (
        "812345670001",
        "Livraria Central",
        "LIVRARIA CENTRAL LTDA",
        "4761001",
        "08060000",
    ),
];

/// The whole base, CNPJs with their check digits.
pub(crate) fn base() -> &'static [MerchantRec] {
    static ALL: OnceLock<Vec<MerchantRec>> = OnceLock::new();
    ALL.get_or_init(build)
}

fn build() -> Vec<MerchantRec> {
    BASE.iter()
        .map(|&(root, name, business_name, cnae, category_id)| {
            let digits: Vec<u8> = root.bytes().map(|b| b - b'0').collect();
            let (d1, d2) = check_digits(&digits);
            MerchantRec {
                cnpj: format!("{root}{d1}{d2}"),
                name,
                business_name,
                cnae,
                category_id,
            }
        })
        .collect()
}

/// The merchant of the base named `name`.
pub(crate) fn by_name(name: &str) -> Option<&'static MerchantRec> {
    base().iter().find(|m| m.name == name)
}

/// The merchant of the base with this CNPJ (14 digits).
pub(crate) fn by_cnpj(cnpj: &str) -> Option<&'static MerchantRec> {
    base().iter().find(|m| m.cnpj == cnpj)
}

/// The two check digits of a CNPJ's first 12 digits.
fn check_digits(first12: &[u8]) -> (u8, u8) {
    fn digit(ds: &[u8]) -> u8 {
        // Weights 2..=9 from the right, repeating.
        let sum: u32 = ds
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| u32::from(*d) * (2 + (i as u32 % 8)))
            .sum();
        let r = sum % 11;
        if r < 2 { 0 } else { (11 - r) as u8 }
    }
    let d1 = digit(first12);
    let mut with_d1 = first12.to_vec();
    with_d1.push(d1);
    (d1, digit(&with_d1))
}

/// The 14 digits of `raw` when it is a valid CNPJ, bare (`00000000000191`) or formatted
/// (`00.000.000/0001-91`); `None` otherwise, including for one digit repeated 14 times.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if !raw
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/' | b'-'))
    {
        return None;
    }
    let digits: Vec<u8> = raw
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() != 14 || digits.iter().all(|d| *d == digits[0]) {
        return None;
    }
    let (d1, d2) = check_digits(&digits[..12]);
    (digits[12] == d1 && digits[13] == d2)
        .then(|| digits.iter().map(|d| char::from(b'0' + d)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cnpj_check_digits() {
        assert_eq!(
            normalize("00000000000191").as_deref(),
            Some("00000000000191")
        );
        assert_eq!(
            normalize("00.000.000/0001-91").as_deref(),
            Some("00000000000191")
        );
        // A well-known valid CNPJ, and the same with one check digit off.
        assert!(normalize("11222333000181").is_some());
        assert!(normalize("11222333000182").is_none());
        assert!(normalize("11111111111111").is_none());
        assert!(normalize("1122233300018").is_none());
        assert!(normalize("1122233300018a").is_none());
        assert!(normalize("").is_none());
        for m in base() {
            assert_eq!(by_cnpj(&m.cnpj), Some(m));
            assert_eq!(normalize(&m.cnpj).as_deref(), Some(m.cnpj.as_str()));
            assert!(crate::world::categories::find(m.category_id).is_some());
        }
    }
}
