import type { RegistryKind } from '../tables.js';

/**
 * The column format of each registry kind: one list that the parser, the downloadable templates and
 * docs/registries.md follow. Header names are matched case-insensitively after trimming; columns may
 * come in any order; a column not listed here is refused (`unknown_columns`) so a misspelt optional
 * column cannot pass as "absent".
 */
export interface ColumnSpec {
  name: string;
  required: boolean;
  /** Russian caption for the template's description sheet. */
  title: string;
  format: string;
  example: string;
}

export const clientColumns: ColumnSpec[] = [
  { name: 'action', required: true, title: 'Действие', format: 'create | update | delete', example: 'create' },
  { name: 'client_id', required: true, title: 'Код клиента во внешней системе', format: '1–100 characters; unique within the registry', example: 'EMP-000123' },
  { name: 'last_name', required: false, title: 'Фамилия', format: 'required for create; on update replaces the name together with first_name', example: 'Иванов' },
  { name: 'first_name', required: false, title: 'Имя', format: 'required for create', example: 'Иван' },
  { name: 'middle_name', required: false, title: 'Отчество', format: 'optional', example: 'Иванович' },
  { name: 'phone', required: false, title: 'Телефон', format: '10–15 digits, optional leading +; spaces, dashes, brackets ignored', example: '+79001234567' },
  { name: 'email', required: false, title: 'E-mail', format: 'an e-mail address', example: 'ivanov@example.ru' },
  { name: 'account_number', required: false, title: 'Номер лицевого счёта', format: 'create only: 6–32 digits; generated when empty', example: '' },
  { name: 'products', required: false, title: 'Продукты (кошельки)', format: 'product codes separated by spaces, commas or |; a wallet is opened for each', example: 'meals own' },
  { name: 'card_uid', required: false, title: 'UID карты', format: '4, 7 or 10 bytes in hex; several separated by spaces, commas or |', example: '04A2B3C4' },
  { name: 'nfc', required: false, title: 'NFC-метка', format: 'as card_uid', example: '' },
  { name: 'qr', required: false, title: 'QR-код', format: '16–128 URL-safe characters', example: '' },
  { name: 'employee_number', required: false, title: 'Табельный номер', format: '1–20 letters, digits or dashes', example: 'T-4521' },
];

export const creditColumns: ColumnSpec[] = [
  { name: 'line_id', required: true, title: 'Идентификатор строки', format: '1–64 characters; unique within the registry', example: '1' },
  { name: 'client_id', required: false, title: 'Код клиента во внешней системе', format: 'client_id or account_number (or both) is required', example: 'EMP-000123' },
  { name: 'account_number', required: false, title: 'Номер лицевого счёта', format: 'takes precedence over client_id', example: '' },
  { name: 'product', required: true, title: 'Продукт', format: 'product code', example: 'meals' },
  { name: 'amount', required: true, title: 'Сумма, руб.', format: 'roubles with up to 2 decimals: 1234.56 or 1234,56; spaces between thousands allowed', example: '1500.00' },
  { name: 'kind', required: false, title: 'Вид операции', format: 'credit (default) | correction; only a correction may be negative', example: 'credit' },
  { name: 'planned_date', required: false, title: 'Плановая дата', format: 'YYYY-MM-DD or DD.MM.YYYY; applied on or after that date', example: '' },
  { name: 'comment', required: false, title: 'Комментарий', format: 'up to 500 characters; the reason of a correction', example: '' },
];

export const columnsOf = (kind: RegistryKind): ColumnSpec[] => (kind === 'clients' ? clientColumns : creditColumns);
