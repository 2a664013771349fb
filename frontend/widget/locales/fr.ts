// The panel's texts in French (keys and comments: en.ts).

import type { Strings } from "./en";

const TOO_LONG = "Ce message est trop long. Merci de le raccourcir.";

export const T: Strings = {
  LOCALE: "fr",
  launcherLabel: (open, unread) => (open ? "Fermer le chat" : "Ouvrir le chat") + (unread ? ` (${unread} non lu${unread > 1 ? "s" : ""})` : ""),
  CLOSE_CHAT: "Fermer le chat",
  CHAT_WITH: "Discuter avec ",
  COMPOSER_PLACEHOLDER: "Écrivez un message…",
  COMPOSER_LABEL: "Message",
  MESSAGES_LABEL: "Messages",
  SEND_LABEL: "Envoyer le message",
  SENDING: "Envoi…",
  AGENT: "Conseiller",
  EVENT_TEXT: {
    resolved: "Conversation résolue",
    reopened: "Conversation rouverte",
  },
  STATUS_TEXT: {
    connecting: "Connexion…",
    online: "En ligne",
    offline: "Reconnexion…",
  },
  AVAILABILITY_TEXT: {
    online: "En ligne — répond en général en quelques minutes",
    away: "Absent — nous vous répondrons ici",
  },
  ERROR_TEXT: {
    body_too_long: TOO_LONG,
    frame_too_large: TOO_LONG,
    empty_body: "Un message ne peut pas être vide.",
    rate_limited: "Envoi trop rapide — nous l'enverrons dans un instant.",
    internal_error: "Une erreur est survenue. Nouvel essai…",
  },
  REFUSED_TEXT: "Ce message n'a pas pu être envoyé. Modifiez-le et réessayez.",
  SEEN: "Vu",
  typingText: (names) => `${names.join(", ")} ${names.length > 1 ? "écrivent" : "écrit"}…`,
  AWAY_DEFAULT: "Nous sommes absents pour le moment.",
  EMAIL_ASK: "Laissez votre e-mail : nous répondrons ici et par e-mail.",
  EMAIL_ASK_FIRST: "Quel est votre e-mail ? Pour vous répondre même si vous partez.",
  EMAIL_LABEL: "Votre e-mail",
  EMAIL_SAVE: "Enregistrer",
  EMAIL_INVALID: "Cette adresse e-mail ne semble pas valide.",
  emailSavedText: (email) => `Nous répondrons ici et par e-mail à ${email}.`,
  RATE_QUESTION: "Comment s'est passée cette conversation ?",
  SCORE_TEXT: { good: "Bien", okay: "Moyen", bad: "Mal" },
  RATE_COMMENT: "Ajouter un commentaire (facultatif)",
  RATE_SEND: "Envoyer la note",
  RATE_THANKS: "Merci pour votre note ! Vous pouvez la modifier.",
  TRANSCRIPT_ASK: "M'envoyer la transcription par e-mail",
  transcriptSentText: (email) => `La transcription part vers ${email}.`,
};
