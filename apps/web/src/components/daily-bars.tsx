/** A day-by-day bar chart (SVG) with the same numbers as a table under it, for screen readers and copying. */
export function DailyBars({
  label,
  days,
}: {
  label: string;
  days: ReadonlyArray<{ day: string; occurrences: number; devices: number }>;
}) {
  const max = Math.max(1, ...days.map((d) => d.occurrences));
  const width = 600;
  const height = 120;
  const slot = width / Math.max(1, days.length);
  return (
    <figure className="daily-bars">
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-label={label} preserveAspectRatio="none">
        {days.map((d, i) => {
          const h = (d.occurrences / max) * height;
          return (
            <rect key={d.day} x={i * slot + 1} y={height - h} width={Math.max(1, slot - 2)} height={h} rx={2}>
              <title>{`${d.day}: ${d.occurrences} occurrences on ${d.devices} devices`}</title>
            </rect>
          );
        })}
        <text x={0} y={height + 14} className="axis">
          {days[0]?.day}
        </text>
        <text x={width} y={height + 14} textAnchor="end" className="axis">
          {days.at(-1)?.day}
        </text>
      </svg>
      <details>
        <summary>As a table</summary>
        <table aria-label={`${label} (table)`}>
          <thead>
            <tr>
              <th>Day (UTC)</th>
              <th>Occurrences</th>
              <th>Devices</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.occurrences}</td>
                <td>{d.devices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
