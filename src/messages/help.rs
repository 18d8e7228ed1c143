//! The help of every subcommand and option, in French and English.
//!
//! The command line is defined once (the clap structs in `src/cli/`); this
//! table gives the words its help shows, keyed by where they belong:
//! `"service install"` is a subcommand's description, `"login:at"` the
//! help of `--at` of `vigie login`, `":config"` a global option. A test
//! walks the whole definition and fails on anything missing here, so the
//! two cannot drift apart.

use super::Lang;

/// (key, French, English).
const HELP: &[(&str, &str, &str)] = &[
    (
        "",
        "vigie — surveille les e-mails de connexion ameli et FranceConnect.\n\n\
         vigie lit votre boîte mail, distingue les vrais e-mails de connexion des faux, et vous \
         prévient quand une connexion n'est pas la vôtre.",
        "vigie — watches ameli and FranceConnect login e-mails.\n\n\
         vigie reads your mailbox, tells genuine login e-mails from fakes, and alerts you when a \
         login is not yours.",
    ),
    (
        ":config",
        "Fichier de configuration [par défaut : $VIGIE_CONFIG, sinon le dossier de configuration XDG]",
        "Configuration file [default: $VIGIE_CONFIG, else the XDG config folder]",
    ),
    (
        ":data_dir",
        "Dossier du journal [par défaut : $VIGIE_DATA_DIR, sinon le dossier de données XDG]",
        "Folder holding the journal [default: $VIGIE_DATA_DIR, else the XDG data folder]",
    ),
    (
        ":lang",
        "Langue des messages (fr ou en) [par défaut : selon LANG, sinon fr]",
        "Language of messages (fr or en) [default: from LANG, else fr]",
    ),
    (":verbose", "Montrer aussi le détail technique des erreurs", "Also show the technical detail of errors"),
    (":help", "Afficher l'aide (--help : l'aide complète)", "Show help (--help: the full help)"),
    (":version", "Afficher la version", "Show the version"),
    (
        "setup",
        "Ajouter ou modifier une boîte mail surveillée (pose les questions nécessaires)",
        "Add or change a watched mailbox (asks what it needs)",
    ),
    ("setup:email", "L'adresse e-mail à surveiller", "The e-mail address to watch"),
    (
        "setup:name",
        "À qui est ce compte, tel que les alertes le nommeront (« Mamie », « Moi »)",
        "Whose account it is, as alerts will name it (\"Mamie\", \"Moi\")",
    ),
    (
        "setup:imap_host",
        "Serveur IMAP [par défaut : connu pour les fournisseurs courants]",
        "IMAP server [default: known for common providers]",
    ),
    ("setup:imap_port", "Port du serveur IMAP [par défaut : 993]", "IMAP server port [default: 993]"),
    (
        "setup:username",
        "Identifiant de connexion [par défaut : celui qu'attend le fournisseur]",
        "Login name [default: as the provider expects]",
    ),
    (
        "setup:tls_ca_file",
        "Certificat d'autorité supplémentaire (PEM) pour un serveur personnel",
        "Extra trusted CA certificate (PEM) for a self-hosted server",
    ),
    (
        "setup:password_stdin",
        "Lire le mot de passe sur l'entrée standard (une ligne) au lieu de le demander",
        "Read the password from standard input (one line) instead of asking",
    ),
    (
        "setup:password_command",
        "Une commande qui affiche le mot de passe (rien n'est alors mis dans le trousseau)",
        "A command that prints the password (then nothing goes to the keyring)",
    ),
    (
        "setup:oauth2_token_command",
        "Une commande qui affiche un jeton d'accès OAuth2 (Outlook, Hotmail, Live)",
        "A command that prints an OAuth2 access token (Outlook, Hotmail, Live)",
    ),
    (
        "setup:tls_cert_sha256",
        "Faire confiance au certificat du serveur qui a cette empreinte SHA-256 (serveur personnel)",
        "Trust the server certificate with this SHA-256 fingerprint (a self-hosted server)",
    ),
    (
        "setup:oauth2_source",
        "Prendre le jeton OAuth2 dans les Comptes en ligne de GNOME",
        "Take the OAuth2 token from GNOME Online Accounts",
    ),
    (
        "setup:browser_history",
        "Les navigateurs de cet ordinateur se connectent à ce compte : lire leur historique",
        "This computer's browsers log into this account: read their history",
    ),
    ("setup:skip_test", "Ne pas essayer la connexion avant d'enregistrer", "Do not test the connection before saving"),
    (
        "setup:accept_past",
        "Les connexions trouvées sur les 30 derniers jours étaient les vôtres : les noter",
        "The logins found in the last 30 days were yours: record them",
    ),
    (
        "scan",
        "Distinguer les vrais e-mails ameli/FranceConnect des faux dans des e-mails enregistrés",
        "Tell genuine ameli/FranceConnect e-mails from fakes in saved e-mails",
    ),
    (
        "scan:json",
        "Un objet JSON par fichier, un par ligne (format stable pour les scripts)",
        "One object per file, one per line (stable format for scripts)",
    ),
    (
        "scan:files",
        "Les messages à lire (.eml) ; « - » lit l'entrée standard",
        "Messages to read (.eml); `-` reads standard input",
    ),
    (
        "run",
        "Surveiller toutes les boîtes configurées jusqu'à l'arrêt (ce que lance le service)",
        "Watch every configured mailbox until stopped (what the service runs)",
    ),
    (
        "check",
        "Regarder une fois chaque boîte, alerter sur ce qui est nouveau, puis s'arrêter",
        "Look at every mailbox once, alert on what is new, then exit",
    ),
    (
        "check:json",
        "Un objet JSON par alerte levée lors de ce passage, un par ligne",
        "One object per finding raised in this pass, one per line",
    ),
    (
        "login",
        "Noter une de vos connexions (maintenant, par défaut)",
        "Record one of your own logins (now, by default)",
    ),
    (
        "login:account",
        "Le compte de qui [par défaut : le seul compte configuré]",
        "Whose account [default: the only configured account]",
    ),
    ("login:service", "Le service où vous vous êtes connecté", "Which service you logged into"),
    (
        "login:at",
        "Quand, à l'heure de Paris : « 26/11/2026 10:30 » ou « 2026-11-26 10:30 » [par défaut : maintenant]",
        "When, in Paris time: \"26/11/2026 10:30\" or \"2026-11-26 10:30\" [default: now]",
    ),
    (
        "login:via",
        "Comment : web, app, ou app-fingerprint (l'empreinte, qui n'envoie pas d'e-mail)",
        "How: web, app, or app-fingerprint (which sends no e-mail)",
    ),
    ("login:note", "Une note pour vous", "A note for yourself"),
    (
        "open",
        "Ouvrir ameli ou FranceConnect dans le navigateur et noter la visite comme la vôtre",
        "Open ameli or FranceConnect in the browser and record the visit as yours",
    ),
    ("open:site", "Le site à ouvrir", "The site to open"),
    (
        "open:account",
        "Le compte de qui [par défaut : le seul compte configuré]",
        "Whose account [default: the only configured account]",
    ),
    (
        "log",
        "Afficher le journal : vos connexions, les e-mails reçus, les alertes",
        "Show the journal: your logins, the e-mails seen, the alerts",
    ),
    (
        "log:json",
        "Un objet JSON par ligne (heures en UTC, plus l'heure de Paris)",
        "One JSON object per line (times in UTC, plus Paris time)",
    ),
    (
        "status",
        "Afficher les alertes en attente, puis la dernière vérification de chaque boîte",
        "Show unresolved alerts, then each mailbox's last check",
    ),
    (
        "answer",
        "Répondre à une alerte : cette connexion était-elle la vôtre, ou avez-vous fait le nécessaire ?",
        "Answer an alert: was this login yours, or have you dealt with it?",
    ),
    (
        "answer:finding",
        "Le numéro de l'alerte, tel que l'alerte et « vigie status » l'affichent",
        "The alert's number, as shown by the alert and `vigie status`",
    ),
    (
        "answer:reply",
        "moi (c'était moi), pas-moi (ce n'était pas moi) ou fait (j'ai fait le nécessaire)",
        "mine (it was me), not-mine (it was not me) or handled (I have done what the alert asks)",
    ),
    (
        "test-alert",
        "Afficher une alerte d'exemple, pour vérifier que les alertes vous parviennent",
        "Show a sample alert, to check that alerts reach you",
    ),
    ("test-alert:account", "Le compte que l'alerte d'exemple nomme", "Whose account the sample alert names"),
    (
        "demo",
        "Faire tourner vigie sur une boîte d'exemple (aucun compte nécessaire)",
        "Run the whole pipeline on a bundled sample mailbox (no account needed)",
    ),
    ("demo:desktop", "Montrer aussi les alertes sur le bureau", "Also show the alerts as desktop notifications"),
    (
        "service",
        "Démarrer vigie avec votre session (ou ne plus le faire)",
        "Start vigie with your session (or stop doing so)",
    ),
    (
        "service install",
        "Installer et démarrer l'agent, et les raccourcis ameli/FranceConnect de chaque compte",
        "Install and start the agent, and each account's ameli/FranceConnect launchers",
    ),
    (
        "service uninstall",
        "Arrêter l'agent et retirer ce qu'install a écrit",
        "Stop the agent and remove what install wrote",
    ),
    (
        "service status",
        "Dire ce qui est installé et si l'agent tourne",
        "Say what is installed and whether the agent runs",
    ),
    (
        "service install:dry_run",
        "Afficher ce qui serait écrit et lancé, sans rien changer",
        "Print what would be written and run, change nothing",
    ),
    (
        "service install:kind",
        "Forcer le type de service [par défaut : détecté]",
        "Force the kind of service [default: detected]",
    ),
    (
        "service uninstall:dry_run",
        "Afficher ce qui serait retiré et lancé, sans rien changer",
        "Print what would be removed and run, change nothing",
    ),
    (
        "service uninstall:kind",
        "Forcer le type de service [par défaut : détecté]",
        "Force the kind of service [default: detected]",
    ),
    (
        "doctor",
        "Vérifier tout ce dont vigie a besoin : configuration, mots de passe, boîtes, alertes, journal, service",
        "Check the config, passwords, mailboxes, notifications, journal, service",
    ),
    ("generate", "Générer les pages de manuel et les complétions", "Generate the man pages and completions"),
    (
        "generate man",
        "Écrire vigie.1 et une page par commande dans DIR",
        "Write vigie.1 and one page per subcommand into DIR",
    ),
    ("generate man:dir", "Le dossier où écrire", "The folder to write into"),
    ("generate completions", "Afficher le script de complétion pour SHELL", "Print the completion script for SHELL"),
    ("generate completions:shell", "Le shell", "The shell"),
];

/// The help for `key` (see the module doc), or `None` if the table lacks it.
pub fn help_text(key: &str, lang: Lang) -> Option<&'static str> {
    HELP.iter().find(|(k, ..)| *k == key).map(|(_, fr, en)| match lang {
        Lang::Fr => *fr,
        Lang::En => *en,
    })
}

/// Every key of the table (for the completeness test).
pub fn help_keys() -> impl Iterator<Item = &'static str> {
    HELP.iter().map(|(k, ..)| *k)
}

/// The placeholder of a value in French (`<FINDING>` → `<NUMÉRO>`), as
/// usage lines and errors show it; `None` to keep the English one.
pub fn value_name(english: &str, lang: Lang) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    Some(match english {
        "FINDING" => "NUMÉRO",
        "REPLY" => "RÉPONSE",
        "ACCOUNT" | "NAME" => "NOM",
        "AT" => "QUAND",
        "NOTE" => "TEXTE",
        "PATH" => "CHEMIN",
        "FILE" => "FICHIER",
        "DIR" => "DOSSIER",
        "COMMAND" => "COMMANDE",
        "EMAIL" => "ADRESSE",
        "IMAP_HOST" => "SERVEUR",
        "IMAP_PORT" => "PORT",
        "USERNAME" => "IDENTIFIANT",
        "SERVICE" => "SERVICE",
        "VIA" => "MOYEN",
        "KIND" => "TYPE",
        "SITE" => "SITE",
        "LANG" => "LANGUE",
        _ => return None,
    })
}

/// A possible value as a French user types it: `moi` rather than `mine`
/// (both are accepted).
pub fn value_in(value: &str, lang: Lang) -> &str {
    match (value, lang) {
        ("mine", Lang::Fr) => "moi",
        ("not-mine", Lang::Fr) => "pas-moi",
        ("handled", Lang::Fr) => "fait",
        (other, _) => other,
    }
}

/// clap's own words around the help.
pub fn help_words(lang: Lang) -> HelpWords {
    match lang {
        Lang::Fr => HelpWords {
            template: "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}",
            // clap writes the colon right after a heading: the space
            // French puts before it goes inside.
            commands: "Commandes ",
            arguments: Some("Arguments "),
            options: Some("Options "),
            command: "COMMANDE",
            default: "par défaut",
            possible: "valeurs possibles",
        },
        Lang::En => HelpWords {
            template: "{before-help}{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}",
            commands: "Commands",
            arguments: None,
            options: None,
            command: "COMMAND",
            default: "default",
            possible: "possible values",
        },
    }
}

/// See [`help_words`].
pub struct HelpWords {
    pub template: &'static str,
    pub commands: &'static str,
    pub arguments: Option<&'static str>,
    pub options: Option<&'static str>,
    pub command: &'static str,
    pub default: &'static str,
    pub possible: &'static str,
}
