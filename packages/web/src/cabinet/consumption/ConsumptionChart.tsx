import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { Chart as ReactChart } from 'react-chartjs-2';

/**
 * Chart.js (through react-chartjs-2), registered piece by piece so the bundle carries only bars, lines
 * and their scales. Animations are off: the chart is read, not watched, and reduced motion is the default.
 * The canvas is an image with a spoken summary; the numbers are in the table beside it.
 */
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

export function ConsumptionChart({ labels, current, previous, currentLabel, previousLabel, unit, summary }: { labels: string[]; current: (number | null)[]; previous?: (number | null)[]; currentLabel: string; previousLabel: string; unit: string; summary: string }) {
  return (
    <div className="chart-box">
      <ReactChart
        type="bar"
        // Chart.js sets the canvas's size in pixels and follows its box a frame later: capped at the box, a
        // canvas drawn for a desktop never widens the page on a phone meanwhile.
        style={{ maxWidth: '100%' }}
        role="img"
        aria-label={summary}
        data={{
          labels,
          datasets: [
            { type: 'bar' as const, label: currentLabel, data: current, backgroundColor: '#0a58a8', borderRadius: 2 },
            ...(previous ? [{ type: 'line' as const, label: previousLabel, data: previous, borderColor: '#b35900', backgroundColor: '#b35900', borderWidth: 2, pointRadius: 2, spanGaps: true }] : []),
          ],
        }}
        options={{
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'index', intersect: false },
          scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
          plugins: { legend: { position: 'bottom' } },
        }}
      />
    </div>
  );
}
