// A message's or a line's time: the clock time, with the full date and time on hover.

export interface TimeProps {
  item: { time: string; timeText: string; timeTitle: string };
}

export function Time({ item }: TimeProps) {
  return (
    <time class="message-time" dateTime={item.time} title={item.timeTitle || undefined}>
      {item.timeText}
    </time>
  );
}
