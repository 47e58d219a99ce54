//! placeholder
/// The catalogue: (code, French, English).
pub static CATALOGUE: &[(&str, &str, &str)] = &[("text.too_long", "Le {field} dépasse {max} caractères ({actual}).", "The {field} exceeds {max} characters ({actual})."), ("field.title", "titre", "title")];
