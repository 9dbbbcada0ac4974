package lint

func (l *Linter) lintMySQLPart(rep *Report, file string, sf *sourceFile, p part) error {
	return nil
}
