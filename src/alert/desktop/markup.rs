//! Making finished plain text safe for a notification server: bodies are
//! escaped for servers that render markup, summaries never carry markup
//! characters. Pure functions, so that every sink can use them.

/// `text` with the five characters that start markup or an entity replaced
/// by entities, for a server that renders markup in bodies (`body-markup`):
/// tags, links, images and character references from mail then show as the
/// text they are.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `summary` as plain text safe on every server. The specification makes
/// the summary plain text, so escaping it would show `&amp;` on servers that
/// follow it; but some servers (dunst with `markup = full`, for one) render
/// markup in it anyway. So `<`, `>` and `&` are replaced by look-alikes
/// (‹ › ＆), which read the same and start nothing on either kind of server.
pub fn plain_summary(summary: &str) -> String {
    summary.replace('<', "‹").replace('>', "›").replace('&', "＆")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_tag_link_or_reference() {
        let raw = "<a href=\"https://x\">3646</a> <img src='t'> &#58;&#47;&#47; &amp;";
        let escaped = escape_markup(raw);
        assert_eq!(
            escaped,
            "&lt;a href=&quot;https://x&quot;&gt;3646&lt;/a&gt; &lt;img src=&apos;t&apos;&gt; \
             &amp;#58;&amp;#47;&amp;#47; &amp;amp;"
        );
        assert!(!escaped.contains(['<', '>', '"', '\'']));
    }

    #[test]
    fn plain_text_is_kept_whole_when_escaped() {
        let text = "Connexion le 20/11/2026 à 10:14 — 3646\nÉtape 2";
        assert_eq!(escape_markup(text), text);
    }

    #[test]
    fn a_summary_carries_no_markup_character() {
        assert_eq!(plain_summary("<b>Papi</b> & Mamie"), "‹b›Papi‹/b› ＆ Mamie");
        assert_eq!(plain_summary("Connexion inconnue — Mamie"), "Connexion inconnue — Mamie");
    }
}
