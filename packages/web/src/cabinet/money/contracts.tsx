import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../../shared/router.js';
import { Field } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';

/** The contract the money screens show: `?contract=` in the address (so a link keeps it), else the first one. */
export function useContractChoice() {
  const { search, path, navigate } = useRouter();
  const contracts = useQuery({ queryKey: ['contracts', 'all'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 200, offset: 0 } } })) });
  const items = contracts.data?.items ?? [];
  const wanted = search.get('contract');
  const contract = items.find((c) => c.id === wanted) ?? items[0];
  const choose = (id: string) => navigate(`${path}?contract=${encodeURIComponent(id)}`, { replace: true });
  return { contracts, items, contract, choose };
}

export function ContractPicker({ choice }: { choice: ReturnType<typeof useContractChoice> }) {
  const { t } = useTranslation();
  if (choice.items.length < 2) return choice.contract ? <p className="hint">{t('money.contract', { number: choice.contract.number })}</p> : null;
  return (
    <div className="inline">
      <Field label={t('money.contractLabel')}>
        <select value={choice.contract?.id ?? ''} onChange={(e) => choice.choose(e.target.value)}>
          {choice.items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.number}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

export const moneyQuery = (contractId: string | undefined) => (contractId ? `?contract=${encodeURIComponent(contractId)}` : '');
