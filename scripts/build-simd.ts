// Rewrites src/engine/simd/kernels-binary.ts from kernels.wat: `npm run build:simd`.
import { writeFileSync } from 'node:fs';
import { assembleSimd, BINARY_TS_PATH } from './simd-assemble.ts';

writeFileSync(BINARY_TS_PATH, await assembleSimd());
