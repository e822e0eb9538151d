// Public surface of @app/metering-formats: exchange formats of metering data, pure (no I/O beyond the
// streams handed in, no service code). Both cabinet sides use it; it imports no package of the project.
export { parse80020, type Parse80020Options } from './80020/parse.js';
export { write80020, fileName80020, zip80020, type Message80020, type Encoding80020 } from './80020/write.js';
export { hourlyValues, pointCode80020, sumKwh, ACTIVE_IMPORT_CHANNEL } from './80020/hourly.js';
export { Format80020Error, problemCodes, type ChannelDay, type Event80020, type Header80020, type Problem80020, type ProblemCode } from './80020/model.js';
