// The panel's texts in Spanish (keys and comments: en.ts).

import type { Strings } from "./en";

const TOO_LONG = "Ese mensaje es demasiado largo. Acórtalo, por favor.";

export const T: Strings = {
  LOCALE: "es",
  launcherLabel: (open, unread) => (open ? "Cerrar el chat" : "Abrir el chat") + (unread ? ` (${unread} sin leer)` : ""),
  CLOSE_CHAT: "Cerrar el chat",
  CHAT_WITH: "Chatea con ",
  COMPOSER_PLACEHOLDER: "Escribe un mensaje…",
  COMPOSER_LABEL: "Mensaje",
  MESSAGES_LABEL: "Mensajes",
  SEND_LABEL: "Enviar mensaje",
  SENDING: "Enviando…",
  AGENT: "Agente",
  EVENT_TEXT: {
    resolved: "Conversación resuelta",
    reopened: "Conversación reabierta",
  },
  STATUS_TEXT: {
    connecting: "Conectando…",
    online: "En línea",
    offline: "Reconectando…",
  },
  AVAILABILITY_TEXT: {
    online: "En línea — suele responder en unos minutos",
    away: "Ausente — te responderemos aquí",
  },
  ERROR_TEXT: {
    body_too_long: TOO_LONG,
    frame_too_large: TOO_LONG,
    empty_body: "Un mensaje no puede estar vacío.",
    rate_limited: "Envías demasiado rápido — lo enviaremos en un momento.",
    internal_error: "Algo salió mal. Reintentando…",
  },
  REFUSED_TEXT: "No se pudo enviar ese mensaje. Edítalo y vuelve a intentarlo.",
  SEEN: "Visto",
  typingText: (names) => `${names.join(", ")} ${names.length > 1 ? "están" : "está"} escribiendo…`,
  AWAY_DEFAULT: "Ahora mismo no estamos disponibles.",
  EMAIL_ASK: "Déjanos tu correo: responderemos aquí y por correo.",
  EMAIL_ASK_FIRST: "¿Cuál es tu correo? Así podremos responderte aunque te vayas.",
  EMAIL_LABEL: "Tu correo",
  EMAIL_SAVE: "Guardar",
  EMAIL_INVALID: "Eso no parece una dirección de correo.",
  emailSavedText: (email) => `Responderemos aquí y por correo a ${email}.`,
  RATE_QUESTION: "¿Qué tal fue esta conversación?",
  SCORE_TEXT: { good: "Bien", okay: "Regular", bad: "Mal" },
  RATE_COMMENT: "Añade un comentario (opcional)",
  RATE_SEND: "Enviar valoración",
  RATE_THANKS: "¡Gracias por tu valoración! Puedes cambiarla.",
  TRANSCRIPT_ASK: "Enviarme la transcripción por correo",
  transcriptSentText: (email) => `La transcripción va de camino a ${email}.`,
};
