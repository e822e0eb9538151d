import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import i18n from 'i18next';
import { Chart as ReactChart } from 'react-chartjs-2';

/**
 * The comparison as bars (Chart.js, as the consumption chart): the period, the one before it and the
 * same dates a year earlier, each its own colour. The canvas is an image with a spoken summary; the
 * numbers are in the table beside it.
 */
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const colours = ['#0a58a8', '#b35900', '#4d6b2f'];

export function InsightsChart({ labels, values, unit, summary }: { labels: string[]; values: (number | null)[]; unit: string; summary: string }) {
  return (
    <div className="chart-box">
      <ReactChart
        type="bar"
        role="img"
        aria-label={summary}
        data={{ labels, datasets: [{ label: unit, data: values, backgroundColor: colours, borderRadius: 2 }] }}
        options={{
          animation: false,
          locale: i18n.language === 'en' ? 'en-GB' : 'ru-RU',
          responsive: true,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
          plugins: { legend: { display: false } },
        }}
      />
    </div>
  );
}
