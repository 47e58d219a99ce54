//! The pages' words: [`Tr`] looks a code up in the pages' own catalogue
//! ([`catalogue::PAGES`]), then in the gateway's and the domain's (one chain, so a
//! rejection shown on a form reads exactly as the API's problem says it).

mod catalogue;

use domain::Lang;

pub use catalogue::PAGES;

/// A translator for one request's language. Cheap to copy into every template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    /// The translator for `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The BCP 47 tag of the language (`fr`, `en`), for `lang` attributes.
    pub fn tag(&self) -> &'static str {
        match self.lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The other language's tag, for the language switch.
    pub fn other_tag(&self) -> &'static str {
        match self.lang {
            Lang::Fr => "en",
            Lang::En => "fr",
        }
    }

    /// The text of `code`. An unknown code shows itself rather than failing: a missing
    /// word must never take a page down (a test checks every template's codes exist).
    pub fn get(&self, code: &str) -> String {
        match PAGES.iter().find(|(c, _, _)| *c == code) {
            Some((_, fr, en)) => match self.lang {
                Lang::Fr => (*fr).to_owned(),
                Lang::En => (*en).to_owned(),
            },
            None => gateway::messages::message(code, &[], self.lang),
        }
    }

    /// The text of `code` with `{name}` parameters replaced.
    pub fn fmt(&self, code: &str, params: &[(&'static str, String)]) -> String {
        let mut text = self.get(code);
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The text of `code` with its one parameter `{n}` replaced by a number.
    pub fn n(&self, code: &str, n: impl std::fmt::Display) -> String {
        self.fmt(code, &[("n", n.to_string())])
    }

    /// A message from the gateway's or domain's catalogue with its parameters (a
    /// rejection's).
    pub fn message(&self, code: &str, params: &[(&'static str, String)]) -> String {
        gateway::messages::message(code, params, self.lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn page_codes_are_unique_and_translated_in_both_languages() {
        let mut seen = BTreeSet::new();
        for (code, fr, en) in PAGES {
            assert!(seen.insert(*code), "code en double : {code}");
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{code}");
        }
    }

    #[test]
    fn lookups_fall_back_to_the_domain_catalogue_and_substitute_parameters() {
        let fr = Tr::new(Lang::Fr);
        let en = Tr::new(Lang::En);
        assert_eq!(fr.get("phase.open"), "ouverte");
        assert_eq!(en.get("phase.open"), "open");
        assert_eq!(fr.get("nav.home"), "Accueil");
        assert_eq!(en.get("nav.home"), "Home");
        assert_eq!(fr.n("count.contributions", 3), "3 contributions");
        assert_eq!(fr.get("no.such.code"), "no.such.code");
    }

    /// Every `t.get("…")`, `t.n("…"` and `t.fmt("…"` in the templates names a code
    /// that exists, so no page ever shows a raw code.
    #[test]
    fn every_code_the_templates_use_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut stack = vec![dir];
        let fr = Tr::new(Lang::Fr);
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("templates") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("template");
                for call in ["t.get(\"", "t.n(\"", "t.fmt(\""] {
                    for piece in text.split(call).skip(1) {
                        let code = piece.split('"').next().unwrap_or("");
                        if fr.get(code) == code {
                            missing.push(format!("{}: {code}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "codes absents du catalogue : {missing:#?}"
        );
    }
}
