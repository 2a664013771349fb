// The panel's texts in Arabic, shown right to left (keys and comments: en.ts).

import type { Strings } from "./en";

const TOO_LONG = "هذه الرسالة طويلة جدًا. يُرجى اختصارها.";

export const T: Strings = {
  LOCALE: "ar",
  launcherLabel: (open, unread) => (open ? "إغلاق المحادثة" : "فتح المحادثة") + (unread ? ` (${unread} غير مقروءة)` : ""),
  CLOSE_CHAT: "إغلاق المحادثة",
  CHAT_WITH: "تحدّث مع ",
  COMPOSER_PLACEHOLDER: "اكتب رسالة…",
  COMPOSER_LABEL: "رسالة",
  MESSAGES_LABEL: "الرسائل",
  SEND_LABEL: "إرسال الرسالة",
  SENDING: "جارٍ الإرسال…",
  AGENT: "موظف الدعم",
  EVENT_TEXT: {
    resolved: "تم حل المحادثة",
    reopened: "أُعيد فتح المحادثة",
  },
  STATUS_TEXT: {
    connecting: "جارٍ الاتصال…",
    online: "متصل",
    offline: "جارٍ إعادة الاتصال…",
  },
  AVAILABILITY_TEXT: {
    online: "متصل — يرد عادةً خلال دقائق",
    away: "غير متاح — سنرد عليك هنا",
  },
  ERROR_TEXT: {
    body_too_long: TOO_LONG,
    frame_too_large: TOO_LONG,
    empty_body: "لا يمكن أن تكون الرسالة فارغة.",
    rate_limited: "الإرسال سريع جدًا — سنرسلها بعد لحظة.",
    internal_error: "حدث خطأ ما. جارٍ إعادة المحاولة…",
  },
  REFUSED_TEXT: "تعذّر إرسال هذه الرسالة. يُرجى تعديلها والمحاولة مرة أخرى.",
  SEEN: "تمت المشاهدة",
  typingText: (names) => `${names.join("، ")} ${names.length > 1 ? "يكتبون" : "يكتب"}…`,
};
