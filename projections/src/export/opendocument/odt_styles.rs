//! The `styles.xml` of text documents: named styles with the names LibreOffice itself
//! uses (`Heading 1`, `Text body`, `Quotations`…), so that a document opens with real
//! headings in the navigator, can get a table of contents, and can be restyled by
//! editing one style rather than every paragraph.

use super::xml::{push_escaped, DECLARATION, NAMESPACES, ODF_VERSION};

/// The named styles, after the default style that carries the language.
const NAMED_STYLES: &str = concat!(
    r#"<style:style style:name="Standard" style:family="paragraph" style:class="text"/>"#,
    r#"<style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:class="text">"#,
    r#"<style:paragraph-properties fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"/>"#,
    r#"<style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>"#,
    r#"<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="1" style:class="text"><style:text-properties fo:font-size="20pt"/></style:style>"#,
    r#"<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="2" style:class="text"><style:text-properties fo:font-size="16pt"/></style:style>"#,
    r#"<style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="3" style:class="text"><style:text-properties fo:font-size="14pt"/></style:style>"#,
    r#"<style:style style:name="Heading_20_4" style:display-name="Heading 4" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="4" style:class="text"><style:text-properties fo:font-size="13pt" fo:font-style="italic"/></style:style>"#,
    r#"<style:style style:name="Heading_20_5" style:display-name="Heading 5" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="5" style:class="text"><style:text-properties fo:font-size="12pt"/></style:style>"#,
    r#"<style:style style:name="Heading_20_6" style:display-name="Heading 6" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="6" style:class="text"><style:text-properties fo:font-size="12pt" fo:font-style="italic"/></style:style>"#,
    r#"<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard" style:class="text">"#,
    r#"<style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.25cm" fo:line-height="115%"/></style:style>"#,
    r#"<style:style style:name="List" style:family="paragraph" style:parent-style-name="Text_20_body" style:class="list"/>"#,
    r#"<style:style style:name="Quotations" style:family="paragraph" style:parent-style-name="Standard" style:class="html">"#,
    r#"<style:paragraph-properties fo:margin-left="1cm" fo:margin-right="1cm" fo:margin-top="0cm" fo:margin-bottom="0.25cm"/>"#,
    r#"<style:text-properties fo:font-style="italic"/></style:style>"#,
    r#"<style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph" style:parent-style-name="Standard" style:class="extra"/>"#,
    r#"<style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph" style:parent-style-name="Table_20_Contents" style:class="extra">"#,
    r#"<style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-weight="bold"/></style:style>"#,
    r#"<style:style style:name="Strong_20_Emphasis" style:display-name="Strong Emphasis" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>"#,
    r#"<style:style style:name="Emphasis" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>"#,
    r#"<style:style style:name="Inserted" style:display-name="Insertion" style:family="text">"#,
    r##"<style:text-properties fo:color="#1b5e20" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>"##,
    r#"<style:style style:name="Deleted" style:display-name="Suppression" style:family="text">"#,
    r##"<style:text-properties fo:color="#b71c1c" style:text-line-through-style="solid" style:text-line-through-type="single"/></style:style>"##,
    r#"<style:style style:name="Internet_20_link" style:display-name="Internet link" style:family="text">"#,
    r##"<style:text-properties fo:color="#000080" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>"##,
    r#"<style:style style:name="Visited_20_Internet_20_Link" style:display-name="Visited Internet Link" style:family="text">"#,
    r##"<style:text-properties fo:color="#800000" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>"##,
    // Headings unnumbered, but on the outline, which is what a table of contents reads.
    r#"<text:outline-style style:name="Outline">"#,
    r#"<text:outline-level-style text:level="1" style:num-format=""/>"#,
    r#"<text:outline-level-style text:level="2" style:num-format=""/>"#,
    r#"<text:outline-level-style text:level="3" style:num-format=""/>"#,
    r#"<text:outline-level-style text:level="4" style:num-format=""/>"#,
    r#"<text:outline-level-style text:level="5" style:num-format=""/>"#,
    r#"<text:outline-level-style text:level="6" style:num-format=""/>"#,
    "</text:outline-style>",
    r#"<text:list-style style:name="List_20_1" style:display-name="List 1">"#,
    r#"<text:list-level-style-bullet text:level="1" text:bullet-char="•">"#,
    r#"<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">"#,
    r#"<style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.64cm" fo:text-indent="-0.64cm" fo:margin-left="0.64cm"/>"#,
    "</style:list-level-properties></text:list-level-style-bullet></text:list-style>",
);

/// A4 with 2 cm margins: the page of French administrative documents.
const PAGE: &str = concat!(
    r#"<office:automatic-styles><style:page-layout style:name="pm1">"#,
    r#"<style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/>"#,
    "</style:page-layout></office:automatic-styles>",
    r#"<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>"#,
);

/// The `styles.xml` part for a document in `language` (a BCP 47 tag such as `fr` or
/// `fr-FR`).
pub(super) fn styles_xml(language: &str) -> String {
    let mut out = String::with_capacity(NAMED_STYLES.len() + PAGE.len() + 1024);
    out.push_str(DECLARATION);
    out.push_str("<office:document-styles ");
    out.push_str(NAMESPACES);
    out.push_str(r#" office:version=""#);
    out.push_str(ODF_VERSION);
    out.push_str(r#""><office:styles><style:default-style style:family="paragraph"><style:text-properties fo:font-size="11pt" "#);
    push_language(&mut out, language);
    out.push_str("/></style:default-style>");
    out.push_str(NAMED_STYLES);
    out.push_str("</office:styles>");
    out.push_str(PAGE);
    out.push_str("</office:document-styles>");
    out
}

/// Pushes `fo:language` and, when the tag has a region (`fr-FR`), `fo:country`.
fn push_language(out: &mut String, language: &str) {
    let mut parts = language.split(['-', '_']);
    let primary = parts.next().filter(|p| !p.is_empty()).unwrap_or("fr");
    out.push_str(r#"fo:language=""#);
    push_escaped(out, primary);
    out.push('"');
    if let Some(region) = parts.find(|p| p.len() == 2) {
        out.push_str(r#" fo:country=""#);
        push_escaped(out, &region.to_uppercase());
        out.push('"');
    }
}
