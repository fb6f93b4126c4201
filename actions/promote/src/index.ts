import { runAction } from '@wms/core/action';
import { runPromoteAction } from './main';
import { spec } from './spec';

void runAction(spec, runPromoteAction);
