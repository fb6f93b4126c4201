import { runActionWithPost } from '@wms/core/action';
import { runStartInfraAction, runStartInfraPost } from './main';
import { spec } from './spec';

void runActionWithPost(spec, runStartInfraAction, runStartInfraPost);
