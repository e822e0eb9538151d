// The SMS.ru emulator lives in the kernel (shared with the cabinet); the name prepaid's tests know.
export { startSmsRuEmulator as startSmsEmulator, type EmulatedSms } from '@app/kernel';
