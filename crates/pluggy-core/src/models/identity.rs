//! Identity: who holds the accounts of an item.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Date;
use crate::Timestamp;
use crate::ids::{IdentityId, ItemId};

/// The identity of an item's holder (`GET /identity?itemId=`).
///
/// The Open Finance detail objects (`qualifications`, `financialRelationships`, `parties`,
/// documents…) are not modelled; unknown fields are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The identity's id.
    pub id: IdentityId,
    /// The item it belongs to.
    pub item_id: ItemId,
    /// The holder's birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    /// The holder's tax number (CPF/CNPJ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// The holder's main document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The kind of `document`, e.g. `CPF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The holder's job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// The holder's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The holder's social name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_name: Option<String>,
    /// The establishment's code (business accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment_code: Option<String>,
    /// The establishment's name (business accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment_name: Option<String>,
    /// The company's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The company's incorporation date (business accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorporation_date: Option<Date>,
    /// Phone numbers.
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Email addresses.
    #[serde(default)]
    pub emails: Vec<Email>,
    /// Postal addresses.
    #[serde(default)]
    pub addresses: Vec<Address>,
    /// Relatives.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The investor profile (`Conservative`, `Moderate`, `Aggressive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investor_profile: Option<String>,
    /// `FEMALE`, `MALE` or `OTHER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// CNPJs of the holder's companies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companies_cnpj: Option<Vec<String>>,
    /// When the identity was first collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the identity last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// A phone number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    /// `Personal`, `Work` or `Residencial` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The number.
    #[serde(default)]
    pub value: String,
    /// The country calling code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_calling_code: Option<String>,
    /// The area code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    /// The extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// More about the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// An email address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// `Personal` or `Work` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The address.
    #[serde(default)]
    pub value: String,
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// The whole address in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_address: Option<String>,
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_address: Option<String>,
    /// The city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `Personal` or `Work` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Complement (apartment, floor…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
    /// The district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// The IBGE town code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ibge_town_code: Option<String>,
    /// The country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Latitude and longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geographic_coordinates: Option<GeographicCoordinates>,
}

/// A position on Earth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeographicCoordinates {
    /// Latitude in degrees.
    #[serde(with = "super::decimal")]
    pub latitude: Decimal,
    /// Longitude in degrees.
    #[serde(with = "super::decimal")]
    pub longitude: Decimal,
}

/// A relative of the holder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// `Mother`, `Father` or `Spouse` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The relative's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The relative's document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}
