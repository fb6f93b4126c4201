export * from './native-install';
export * from './native-resolver';
export * from './prepare-native-modules';
