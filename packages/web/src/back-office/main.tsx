import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from '../shared/api/client.js';
import { setupI18n } from '../shared/i18n/setup.js';
import { Router } from '../shared/router.js';
import { App } from './App.js';
import en from './i18n/en.json';
import ru from './i18n/ru.json';
import './back-office.css';

setupI18n({ ru: { translation: ru }, en: { translation: en } });

// Server state lives in the query cache; a refused or missing answer is not worth retrying.
const queries = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 5_000, retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2, refetchOnWindowFocus: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <Router>
        <App />
      </Router>
    </QueryClientProvider>
  </StrictMode>,
);
